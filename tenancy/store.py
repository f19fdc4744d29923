"""The tenant-scoped store: the one object through which a company's data is read or written.

It is built from a companyId and every key it touches is `t:{companyId}:...`;
`key()` is the only place in the code base that spells a tenant key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, cast

import redis.asyncio as aioredis

from tenancy.bookings import BookingBook
from tenancy.calendar_link import CalendarLinkStore, PendingEvents
from tenancy.models import Company, CompanyQnA, Employee, is_object_id
from tenancy.notification_book import NotificationBook
from tenancy.offline_calendar import OfflineCalendarRecord
from tenancy.records import ContactBook, RecordCollection
from tenancy.rolling import Inbox
from tenancy.secrets import SecretBox
from tenancy.sms_threads import SmsBook
from tenancy.suggestion_book import SuggestionBook
from tenancy.vectors import VectorShelf

CHECKPOINT_TTL_S = 6 * 3600  # a call checkpoint outlives any real call


def tenant_key(company_id: str, *parts: str) -> str:
    """`t:{companyId}:...`: the one function that spells a tenant key."""
    if not is_object_id(company_id):
        raise ValueError(f"not a company id: {company_id!r}")
    return ":".join(("t", company_id, *parts))


@dataclass(frozen=True, slots=True)
class KnownCompany:
    """A company and the stored text it was made from: a reader that keeps one decrypts
    and validates the company again only when the stored text has changed
    (`TenantStore.company_since`), so it never serves a stale company nor parses an
    unedited one twice."""

    text: str
    company: Company


class TenantStore:
    def __init__(self, redis: aioredis.Redis, company_id: str, secrets: SecretBox) -> None:
        if not is_object_id(company_id):
            raise ValueError(f"not a company id: {company_id!r}")
        self.company_id = company_id
        self._redis = redis
        self._secrets = secrets
        self.knowledge = RecordCollection(redis, self.key("qna"), CompanyQnA, "knowledge entry")
        self.knowledge_vectors = VectorShelf(redis, self.key("qna-vectors"))
        self.employees = RecordCollection(redis, self.key("employees"), Employee, "employee")
        self.contacts = ContactBook(redis, self.key("contacts"), self.key("contacts", "by-phone"))
        self.bookings = BookingBook(
            redis, self.key("bookings"), self.key("bookings", "calendar"),
            self.key("bookings", "spans"),
        )
        self.calendar_link = CalendarLinkStore(
            redis, self.key("integrations", "google-calendar"), secrets)
        self.calendar_pending = PendingEvents(redis, self.key("bookings", "calendar-pending"))
        self.offline_calendar = OfflineCalendarRecord(  # the calendar double (doubles mode)
            redis, self.key("integrations", "calendar-double", "events"),
            self.key("integrations", "calendar-double", "failure"))
        self.messages = Inbox(redis, self.key("messages"))
        self.notifications = NotificationBook(redis, company_id, self.key("notifications"),
                                              self.key("notifications", "by-sid"))
        self.suggestions = SuggestionBook(
            redis, self.key("suggestions"), self.key("suggestions", "centroids"),
            self.key("suggestions", "watermark"), self.key("suggestions", "lock"))
        self.sms = SmsBook(redis, lambda *parts: self.key("sms", *parts))

    def key(self, *parts: str) -> str:
        return tenant_key(self.company_id, *parts)

    # --- the company document -------------------------------------------------------------

    async def load_company(self) -> Company | None:
        raw = await self.company_text()
        return None if raw is None else self.load_sealed(raw)

    async def company_text(self) -> str | None:
        """The company document as stored (sealed JSON)."""
        return cast(str | None, await self._redis.get(self.key("company")))

    async def company_since(self, known: KnownCompany | None) -> KnownCompany | None:
        """The company as stored now (one read); None when there is no such company."""
        return self.known_company(await self.company_text(), known)

    def known_company(self, text: str | None,
                      known: KnownCompany | None) -> KnownCompany | None:
        """The company stored as `text` (as read by `company_text` or `call_documents`):
        `known` itself when it was made from this very text, else parsed anew."""
        if text is None:
            return None
        if known is not None and known.text == text:
            return known
        return KnownCompany(text, self.load_sealed(text))

    async def call_documents(self) -> tuple[str | None, list[str], list[str]]:
        """The company document, knowledge and staff exactly as stored, in one round trip
        (for readers that parse them again only when they changed)."""
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.get(self.key("company"))
            pipe.hvals(self.knowledge.key)
            pipe.hvals(self.employees.key)
            company, knowledge, employees = await pipe.execute()
        return company, knowledge, employees

    def load_sealed(self, raw: str) -> Company:
        return Company.model_validate(self._secrets.unseal(json.loads(raw)))

    async def save_company(self, company: Company) -> None:
        await self._redis.set(self.key("company"), self.sealed_json(company))

    def sealed_json(self, company: Company) -> str:
        if company.id != self.company_id:
            raise ValueError("a tenant store only writes its own company")
        return json.dumps(self._secrets.seal(company.model_dump(mode="json", by_alias=True)))

    # --- call checkpoints -----------------------------------------------------------------

    async def save_checkpoint(self, call_sid: str, state: dict[str, Any]) -> None:
        await self._redis.set(*self.checkpoint_entry(call_sid, state)[:2], ex=CHECKPOINT_TTL_S)

    def checkpoint_entry(self, call_sid: str, state: dict[str, Any]) -> tuple[str, str, int]:
        """The key, text and lifetime (s) `save_checkpoint` writes, for a writer that sends
        the checkpoint in one step with other data (a call's events)."""
        return self.key("call", call_sid), json.dumps(state), CHECKPOINT_TTL_S

    async def load_checkpoint(self, call_sid: str) -> dict[str, Any] | None:
        raw = await self._redis.get(self.key("call", call_sid))
        return None if raw is None else json.loads(raw)

    async def delete_checkpoint(self, call_sid: str) -> None:
        await self.delete_checkpoints(call_sid)

    async def delete_checkpoints(self, *call_sids: str) -> None:
        """Delete these checkpoints in one command."""
        await self._redis.delete(*self.checkpoint_keys(*call_sids))

    def checkpoint_keys(self, *call_sids: str) -> list[str]:
        """The keys `delete_checkpoints` deletes, for a writer that deletes them in one
        step with other data (a call's last events)."""
        return [self.key("call", call_sid) for call_sid in call_sids]
