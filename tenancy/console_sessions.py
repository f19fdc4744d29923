"""Console sign-in sessions, kept server-side so logging out (or expiry) really ends them.

The browser holds only a random session token; Redis holds what it stands for (who, which
role and company, the CSRF token) under a hash of it, so a copy of the store is no key to
anyone's session. A session lapses after `idle_s` without use (the key's TTL, renewed on
each use) and, however busy, `absolute_s` after sign-in. It also ends as soon as its user
is changed or removed: it carries the user's `sessionStamp` from sign-in, and `resume`
reads the user's current one in the same round trip as the idle-clock renewal
(tenancy/users.py says why a stamp).
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

import redis.asyncio as aioredis

from tenancy.models.common import ApiModel
from tenancy.users import Role, User, user_key


class ConsoleSession(ApiModel):
    email: str
    role: Role
    companyId: str | None = None
    csrfToken: str
    createdAt: float  # epoch seconds
    userStamp: str = ""  # the user's `sessionStamp` at sign-in


@dataclass(frozen=True)
class SessionPolicy:
    idle_s: int = 30 * 60
    absolute_s: int = 12 * 3600


def session_key(token: str) -> str:
    return "g:console-session:" + hashlib.sha256(token.encode()).hexdigest()


class ConsoleSessionStore:
    def __init__(self, redis: aioredis.Redis, policy: SessionPolicy | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self._redis = redis
        self.policy = policy or SessionPolicy()
        self._clock = clock

    async def start(self, user: User) -> tuple[str, ConsoleSession]:
        """A new session for `user`: the token for the cookie, and the session."""
        token = secrets.token_urlsafe(32)
        session = ConsoleSession(email=user.email, role=user.role, companyId=user.companyId,
                                 csrfToken=secrets.token_urlsafe(32), createdAt=self._clock(),
                                 userStamp=user.sessionStamp)
        await self._redis.set(session_key(token), session.model_dump_json(),
                              ex=self.policy.idle_s)
        return token, session

    async def resume(self, token: str) -> ConsoleSession | None:
        """The live session the token stands for (its idle clock restarted), else None:
        none once it is too old, or its user was changed or removed since sign-in."""
        if not token or len(token) > 128:
            return None
        key = session_key(token)
        raw = await self._redis.get(key)
        if raw is None:
            return None
        session = ConsoleSession.model_validate_json(raw)
        left = session.createdAt + self.policy.absolute_s - self._clock()
        if left <= 0:
            await self._redis.delete(key)
            return None
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.get(user_key(session.email))
            pipe.expire(key, max(1, int(min(self.policy.idle_s, left))))
            raw_user, _ = await pipe.execute()
        if raw_user is None or User.model_validate_json(raw_user).sessionStamp != session.userStamp:
            await self._redis.delete(key)
            return None
        return session

    async def end(self, token: str) -> None:
        await self._redis.delete(session_key(token))
