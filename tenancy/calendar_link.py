"""A company's connection to its Google Calendar, and the OAuth states that create it.

The refresh token is encrypted with the platform's `SecretBox` before it reaches Redis and
is never returned by the API. An OAuth `state` is one-time and bound to the company that
asked for the consent URL, so a callback cannot attach a calendar to another tenant.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Literal, cast

import redis.asyncio as aioredis
from pydantic import Field

from tenancy.models.common import ApiModel, is_object_id, utc_now
from tenancy.secrets import SecretBox

OAUTH_STATE_TTL_S = 600  # the consent screen must be finished within ten minutes
_STATE_KEY = "g:oauth-state:google-calendar:"


class CalendarLink(ApiModel):
    provider: Literal["google"] = "google"
    calendarId: Annotated[str, Field(min_length=1, max_length=200)] = "primary"
    refreshToken: Annotated[str, Field(min_length=1, max_length=2000)]
    connectedAt: datetime = Field(default_factory=utc_now)

    def public(self) -> dict[str, object]:
        """What the API shows: never the token."""
        return {"connected": True, "provider": self.provider, "calendarId": self.calendarId,
                "connectedAt": self.connectedAt.isoformat()}


class CalendarLinkStore:
    def __init__(self, redis: aioredis.Redis, key: str, secrets: SecretBox) -> None:
        self._redis, self._key, self._secrets = redis, key, secrets

    async def get(self) -> CalendarLink | None:
        raw = await self._redis.get(self._key)
        if raw is None:
            return None
        document = json.loads(cast(str, raw))
        document["refreshToken"] = self._secrets.decrypt(document["refreshToken"])
        return CalendarLink.model_validate(document)

    async def save(self, link: CalendarLink) -> None:
        document = link.model_dump(mode="json")
        document["refreshToken"] = self._secrets.encrypt(link.refreshToken)
        await self._redis.set(self._key, json.dumps(document))

    async def delete(self) -> None:
        await self._redis.delete(self._key)


class PendingEvents:
    """Booking ids whose calendar event still has to be written or removed."""

    def __init__(self, redis: aioredis.Redis, key: str) -> None:
        self._redis, self._key = redis, key

    async def add(self, booking_id: str) -> None:
        await self._redis.sadd(self._key, booking_id)

    async def take(self, limit: int) -> list[str]:
        found = await self._redis.srandmember(self._key, limit)
        return sorted(cast(list[str], found or []))

    async def done(self, booking_id: str) -> None:
        await self._redis.srem(self._key, booking_id)


class OAuthStates:
    """One-time OAuth `state` values → the company (and PKCE verifier) they were made for."""

    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis

    async def remember(self, state: str, company_id: str, code_verifier: str | None) -> None:
        value = json.dumps({"companyId": company_id, "codeVerifier": code_verifier})
        await self._redis.set(_STATE_KEY + state, value, ex=OAUTH_STATE_TTL_S)

    async def take(self, state: str) -> tuple[str, str | None] | None:
        """The company and verifier of `state`, once; None if unknown, used or expired."""
        if not state or len(state) > 200:
            return None
        raw = await self._redis.getdel(_STATE_KEY + state)
        if raw is None:
            return None
        value = json.loads(cast(str, raw))
        if not is_object_id(value["companyId"]):
            return None
        return value["companyId"], value["codeVerifier"]
