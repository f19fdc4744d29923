"""Company lifecycle across the global index and the tenant namespaces.

Creating, patching and deactivating a company touches two places that must agree:
the company document under `t:{id}:company` and the phone index `g:phone:*`.
The registry keeps them consistent: numbers are claimed before the document is
written and released if the write does not happen.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, cast

import redis.asyncio as aioredis
import structlog
from pydantic import ValidationError

from tenancy.errors import Conflict, InvalidDocument, NotFound
from tenancy.merge import deep_merge
from tenancy.models import Company, CompanyProfile, is_object_id, utc_now
from tenancy.models.company import TwilioPhoneNumber
from tenancy.phone_index import PhoneIndex
from tenancy.secrets import SecretBox, keep_unchanged_secrets
from tenancy.store import TenantStore

log = structlog.get_logger(__name__)

COMPANIES_KEY = "g:companies"
IMMUTABLE_FIELDS = ("_id", "id", "createdAt", "updatedAt", "isActive")
_PATCH_RETRIES = 5

# Asked before numbers are claimed for a company (as it will be after the change):
# raises to refuse. The registry stores; who may claim what is the caller's rule.
ApproveNumbers = Callable[[Company, list[str]], Awaitable[None]]
CompanyNames = list[tuple[str, str]]  # (id, name)
StoredCompanies = list[tuple[TenantStore, str]]  # a tenant's store and its sealed document


def validation_details(exc: ValidationError) -> list[dict[str, Any]]:
    return [
        {"field": ".".join(str(part) for part in error["loc"]), "message": error["msg"]}
        for error in exc.errors(include_url=False, include_input=False)
    ]


class CompanyRegistry:
    def __init__(self, redis: aioredis.Redis, secrets: SecretBox) -> None:
        self._redis = redis
        self._secrets = secrets
        self.phones = PhoneIndex(redis)

    def tenant(self, company_id: str) -> TenantStore:
        return TenantStore(self._redis, company_id, self._secrets)

    async def create(self, profile: CompanyProfile, company_id: str | None = None,
                     created_at: datetime | None = None) -> Company:
        """A new company; `company_id`/`created_at` keep those of a company moved here."""
        fields = profile.model_dump()
        if company_id is not None:
            fields["id"] = company_id
        if created_at is not None:
            fields["createdAt"] = created_at
        company = Company.model_validate(fields)
        store = self.tenant(company.id)
        await self.phones.claim(company.id, company.phone_numbers())
        try:
            written = await self._redis.set(
                store.key("company"), store.sealed_json(company), nx=True
            )
            if not written:
                raise Conflict(f"a company with _id {company.id} already exists"
                               if company_id else "company id collision, try again")
            await self._redis.sadd(COMPANIES_KEY, company.id)
        except BaseException:
            await self.phones.release(company.id, company.phone_numbers())
            raise
        return company

    async def get(self, company_id: str, *, include_inactive: bool = False) -> Company:
        company = await self.tenant(company_id).load_company() if is_object_id(company_id) else None
        if company is None or not (company.isActive or include_inactive):
            raise NotFound(f"company {company_id} not found")
        return company

    async def list(self) -> list[Company]:
        """Every company that can be read; one that cannot (sealed with another key, or
        corrupt) is logged and left out rather than failing the whole list."""
        companies = []
        for store, text in await self._company_texts():
            try:
                companies.append(store.load_sealed(text))
            except Exception:
                log.warning("company_unreadable", company_id=store.company_id)
        return companies

    async def names(self) -> CompanyNames:
        """(id, name) of every company, as `list` orders them: for a company switcher,
        which needs neither secrets unsealed nor whole documents validated (so, unlike
        `list`, it names a company sealed with another key; a corrupt one it leaves out)."""
        named = []
        for store, text in await self._company_texts():
            try:
                name = json.loads(text)["companyName"]
            except (ValueError, KeyError, TypeError):
                log.warning("company_unreadable", company_id=store.company_id)
                continue
            named.append((store.company_id, str(name)))
        return named

    async def _company_texts(self) -> StoredCompanies:
        """Each indexed company's stored document (sealed JSON), by id, in one round trip."""
        stores = [self.tenant(cast(str, cid))
                  for cid in sorted(await self._redis.smembers(COMPANIES_KEY))]
        async with self._redis.pipeline(transaction=False) as pipe:
            for store in stores:
                pipe.get(store.key("company"))
            texts = await pipe.execute()
        return [(store, text) for store, text in zip(stores, texts, strict=True)
                if text is not None]

    async def company_for_number(self, number: str) -> Company | None:
        """The active company that answers `number`; none for a number marked inactive."""
        owner = await self.phones.owner(number)
        if owner is None:
            return None
        company = await self.tenant(owner).load_company()
        if company is None or not company.isActive:
            return None
        return company if number in company.phone_numbers(active_only=True) else None

    async def patch(self, company_id: str, changes: dict[str, Any],
                    approve_numbers: ApproveNumbers | None = None) -> Company:
        """Deep-merge `changes` into the company, validate the result, keep the index in step."""
        frozen = [name for name in IMMUTABLE_FIELDS if name in changes]
        if frozen:
            raise InvalidDocument(f"{', '.join(frozen)} cannot be changed with PATCH")
        changes = keep_unchanged_secrets(changes)
        store = self.tenant(company_id)
        for _ in range(_PATCH_RETRIES):
            current = await self.get(company_id)
            updated = _merged_company(current, changes)
            added = set(updated.phone_numbers()) - set(current.phone_numbers())
            removed = set(current.phone_numbers()) - set(updated.phone_numbers())
            if approve_numbers is not None:
                await approve_numbers(updated, sorted(added))
            await self.phones.claim(company_id, sorted(added))
            if await self._replace_if_unchanged(store, current, updated):
                await self.phones.release(company_id, sorted(removed))
                return updated
            await self.phones.release(company_id, sorted(added))
        raise Conflict("the company was changed concurrently, try again")

    async def add_phone_number(self, company_id: str, entry: TwilioPhoneNumber,
                               approve_numbers: ApproveNumbers | None = None) -> Company:
        current = await self.get(company_id)
        if entry.phoneNumber in current.phone_numbers():
            raise Conflict(f"phone number {entry.phoneNumber} is already on this company")
        numbers = [n.model_dump() for n in current.twilioConfig.phoneNumbers]
        if entry.isPrimary:
            numbers = [n | {"isPrimary": False} for n in numbers]
        return await self.patch(
            company_id, {"twilioConfig": {"phoneNumbers": [*numbers, entry.model_dump()]}},
            approve_numbers,
        )

    async def deactivate(self, company_id: str) -> Company:
        """DELETE keeps the data but stops routing: numbers are released for others to claim."""
        store = self.tenant(company_id)
        for _ in range(_PATCH_RETRIES):
            current = await self.get(company_id)
            updated = current.model_copy(update={"isActive": False, "updatedAt": utc_now()})
            if await self._replace_if_unchanged(store, current, updated):
                await self.phones.release(company_id, current.phone_numbers())
                return updated
        raise Conflict("the company was changed concurrently, try again")

    async def reactivate(self, company_id: str) -> Company:
        """Route calls again: the numbers are claimed back first (409 if one was taken)."""
        store = self.tenant(company_id)
        for _ in range(_PATCH_RETRIES):
            current = await self.get(company_id, include_inactive=True)
            if current.isActive:
                return current
            await self.phones.claim(company_id, current.phone_numbers())
            updated = current.model_copy(update={"isActive": True, "updatedAt": utc_now()})
            if await self._replace_if_unchanged(store, current, updated):
                return updated
            await self.phones.release(company_id, current.phone_numbers())
        raise Conflict("the company was changed concurrently, try again")

    async def _replace_if_unchanged(
        self, store: TenantStore, current: Company, updated: Company
    ) -> bool:
        """Optimistic write: succeeds only if nobody changed the document since `current`."""
        key = store.key("company")
        async with self._redis.pipeline(transaction=True) as pipe:
            try:
                await pipe.watch(key)
                stored = await pipe.get(key)
                unchanged = stored is not None and (
                    store.load_sealed(cast(str, stored)).updatedAt == current.updatedAt
                )
                if not unchanged:
                    await pipe.unwatch()
                    return False
                pipe.multi()
                pipe.set(key, store.sealed_json(updated))
                await pipe.execute()
                return True
            except aioredis.WatchError:
                return False


def _merged_company(current: Company, changes: dict[str, Any]) -> Company:
    document = deep_merge(current.model_dump(mode="json", by_alias=True), changes)
    document["updatedAt"] = utc_now().isoformat()
    try:
        return Company.model_validate(document)
    except ValidationError as exc:
        types = frozenset(error["type"] for error in exc.errors())
        raise InvalidDocument("the change does not validate", validation_details(exc),
                              types) from exc
