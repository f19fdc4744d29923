"""People who sign in to the admin API and the console: hashed passwords and one role each.

Users are global (`g:user:{email}`): a company admin belongs to exactly one
company, recorded on the user, and the token minted at login carries it.

Every change to a user (role, company, password) gives it a new `sessionStamp`, and
removal deletes it. Console sessions carry the stamp they were started with and
`ConsoleSessionStore.resume` compares it with the user's, so a change ends all of that
user's sessions on their next request. A stamp rather than an index of each user's
sessions: the check is one extra read pipelined with the idle-clock renewal, nothing
needs cleaning when sessions lapse, and a sign-in racing a change cannot survive it
(the stamp comes from the same read of the user as the role the session copies).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping, Sequence
from enum import StrEnum
from typing import Any, cast

import redis.asyncio as aioredis
from pydantic import Field, ValidationError, model_validator

from tenancy.errors import Conflict, InvalidDocument, NotFound
from tenancy.models.common import ApiModel, Email
from tenancy.passwords import MIN_PASSWORD_LENGTH, PasswordHasher, check_password_bytes

USER_KEY_PREFIX = "g:user:"
USER_INDEX_KEY = "g:user-index"  # every user's email, for the platform admins' list
# Set once the users stored before the index existed have been added to it.
USER_INDEX_COMPLETE_KEY = "g:user-index:complete"
_CHANGE_RETRIES = 5
CHANGEABLE_FIELDS = ("role", "companyId")


class Role(StrEnum):
    PLATFORM_ADMIN = "platform_admin"
    COMPANY_ADMIN = "company_admin"
    COMPANY_VIEWER = "company_viewer"


class User(ApiModel):
    email: Email
    role: Role
    companyId: str | None = Field(default=None, pattern=r"^[0-9a-f]{24}$")
    passwordHash: str
    sessionStamp: str = ""  # new on every change; console sessions started before it end

    @model_validator(mode="after")
    def _company_roles_need_company(self) -> User:
        if self.role is Role.PLATFORM_ADMIN and self.companyId is not None:
            raise ValueError("a platform admin does not belong to a company")
        if self.role is not Role.PLATFORM_ADMIN and self.companyId is None:
            raise ValueError(f"role {self.role} needs a companyId")
        return self


class LastPlatformAdmin(Conflict):
    """409: the change would leave the platform without a platform admin."""


def user_key(email: str) -> str:
    return USER_KEY_PREFIX + email.lower()


def _new_stamp() -> str:
    return secrets.token_urlsafe(12)


def _checked_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"password must be at least {MIN_PASSWORD_LENGTH} characters")
    return check_password_bytes(password)


def _invalid_change(exc: ValidationError) -> InvalidDocument:
    details = [{"field": ".".join(str(part) for part in error["loc"]),
                "message": str(error["msg"]).removeprefix("Value error, ")}
               for error in exc.errors(include_url=False, include_input=False)]
    return InvalidDocument(details[0]["message"], details)


class UserStore:
    def __init__(self, redis: aioredis.Redis, bcrypt_rounds: int = 12) -> None:
        self._redis = redis
        self.hasher = PasswordHasher(bcrypt_rounds)

    async def create(
        self, email: str, password: str, role: Role, company_id: str | None = None
    ) -> User:
        hashed = await self.hasher.hash(_checked_password(password))
        user = User(email=email, role=role, companyId=company_id, passwordHash=hashed,
                    sessionStamp=_new_stamp())
        if not await self._redis.set(user_key(user.email), user.model_dump_json(), nx=True):
            raise Conflict(f"user {user.email} already exists")
        await self._redis.sadd(USER_INDEX_KEY, user.email.lower())
        return user

    async def get(self, email: str) -> User | None:
        raw = await self._redis.get(user_key(email))
        return None if raw is None else User.model_validate_json(raw)

    async def authenticate(self, email: str, password: str) -> User | None:
        """The user if the password matches; unknown emails cost one bcrypt check too."""
        user = await self.get(email)
        matches = await self.hasher.check(password, user.passwordHash if user else None)
        return user if user is not None and matches else None

    async def list(self, company_id: str | None = None) -> list[User]:
        """Every user (of one company, if given), by email."""
        users = await self._load(await self._emails())
        return [u for u in users if company_id is None or u.companyId == company_id]

    async def update(self, email: str, changes: Mapping[str, Any]) -> User:
        """New role and/or companyId (`CHANGEABLE_FIELDS`), validated as a whole user;
        a change that changes nothing keeps the user's sessions."""
        unknown = set(changes) - set(CHANGEABLE_FIELDS)
        if unknown:
            raise InvalidDocument(f"{', '.join(sorted(unknown))} cannot be changed here")

        def changed(current: User) -> User:
            try:
                user = User.model_validate({**current.model_dump(), **changes})
            except ValidationError as exc:
                raise _invalid_change(exc) from exc
            if (user.role, user.companyId) == (current.role, current.companyId):
                return current
            return user.model_copy(update={"sessionStamp": _new_stamp()})

        return cast(User, await self._replace(email, changed))

    async def reset_password(self, email: str, password: str) -> User:
        if await self.get(email) is None:  # before the costly hash
            raise NotFound(f"user {email} not found")
        hashed = await self.hasher.hash(_checked_password(password))
        return cast(User, await self._replace(email, lambda current: current.model_copy(
            update={"passwordHash": hashed, "sessionStamp": _new_stamp()})))

    async def remove(self, email: str) -> None:
        await self._replace(email, lambda current: None)

    async def _replace(self, email: str, change: Callable[[User], User | None]) -> User | None:
        """Optimistic write of `change(current)` (None removes the user). Taking the
        platform-admin role away from someone needs another platform admin, read under
        WATCH so two admins demoting each other at once cannot both succeed."""
        key = user_key(email)
        for _ in range(_CHANGE_RETRIES):
            async with self._redis.pipeline(transaction=True) as pipe:
                try:
                    await pipe.watch(key)
                    raw = await pipe.get(key)
                    if raw is None:
                        raise NotFound(f"user {email} not found")
                    current = User.model_validate_json(raw)
                    updated = change(current)
                    if updated is current:
                        return current
                    if current.role is Role.PLATFORM_ADMIN and (
                            updated is None or updated.role is not Role.PLATFORM_ADMIN):
                        await self._require_another_platform_admin(pipe, current.email)
                    pipe.multi()
                    if updated is None:
                        pipe.delete(key)
                        pipe.srem(USER_INDEX_KEY, current.email.lower())
                    else:
                        pipe.set(key, updated.model_dump_json())
                    await pipe.execute()
                    return updated
                except aioredis.WatchError:
                    continue
        raise Conflict(f"user {email} was changed concurrently, try again")

    async def _require_another_platform_admin(self, pipe: Any, email: str) -> None:
        others = [u.email for u in await self._load(await self._emails())
                  if u.role is Role.PLATFORM_ADMIN and u.email.lower() != email.lower()]
        if others:
            keys = [user_key(other) for other in others]
            await pipe.watch(*keys)  # still admins when the change is written, or retry
            still = [User.model_validate_json(raw) for raw in await pipe.mget(keys) if raw]
            if any(user.role is Role.PLATFORM_ADMIN for user in still):
                return
        raise LastPlatformAdmin(
            f"{email} is the last platform admin: make another user a platform admin first")

    async def _emails(self) -> Sequence[str]:
        if not await self._redis.exists(USER_INDEX_COMPLETE_KEY):
            async for key in self._redis.scan_iter(match=USER_KEY_PREFIX + "*", count=1000):
                await self._redis.sadd(USER_INDEX_KEY, str(key).removeprefix(USER_KEY_PREFIX))
            await self._redis.set(USER_INDEX_COMPLETE_KEY, "1")
        return sorted(cast(set[str], await self._redis.smembers(USER_INDEX_KEY)))

    async def _load(self, emails: Sequence[str]) -> Sequence[User]:
        """The users still stored (an index entry can outlive a removal racing a backfill)."""
        if not emails:
            return []
        raws = await self._redis.mget([user_key(email) for email in emails])
        return [User.model_validate_json(raw) for raw in raws if raw is not None]
