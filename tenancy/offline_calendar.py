"""What the offline calendar double holds for one company (doubles mode: tests, local runs).

A connected Google Calendar is one calendar, whichever process asks it; the double must
be too, or an event written by a call actor would be invisible to the API's replica. So
its events, and the fault a test or chaos run injects into it, live in the company's
namespace in Redis rather than in one process's memory.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Literal, cast, get_args

import redis.asyncio as aioredis

CalendarFailure = Literal["none", "error", "hang"]


class OfflineCalendarRecord:
    def __init__(self, redis: aioredis.Redis, events_key: str, failure_key: str) -> None:
        self._redis, self._events, self._failure = redis, events_key, failure_key

    async def failure(self) -> CalendarFailure | None:
        """The fault set for this company, or None (the deployment's default applies)."""
        value = await self._redis.get(self._failure)
        return cast(CalendarFailure, value) if value in get_args(CalendarFailure) else None

    async def set_failure(self, failure: CalendarFailure) -> None:
        await self._redis.set(self._failure, failure)

    async def add(self, event_id: str, start: datetime, end: datetime, summary: str) -> None:
        await self._redis.hset(self._events, event_id, json.dumps(
            {"start": start.isoformat(), "end": end.isoformat(), "summary": summary}))

    async def remove(self, event_id: str) -> None:
        await self._redis.hdel(self._events, event_id)

    async def events(self) -> dict[str, dict[str, str]]:
        raw = cast(dict[str, str], await self._redis.hgetall(self._events))
        return {event_id: json.loads(value) for event_id, value in raw.items()}
