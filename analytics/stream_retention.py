"""Keep the call-event stream small: drop what every reader has acknowledged, report lag.

The stream shares its Redis with tenant configuration, so acknowledged entries must go.
The drain acknowledges an entry only once its rows are on disk (`analytics.drain`), so
"acknowledged by every consumer group" is exactly "durably written". `trim` removes
entries older than the oldest one any group still needs: the first of its pending list
(delivered, not acknowledged) or, when nothing is pending, the one after its last
delivered id (never delivered yet). Both only move forward while `trim` runs, so a
concurrent read or acknowledgement can make it keep more, never drop too much.

What is left in the stream is then the sink's backlog; `backlog` measures it, and a
backlog above the alarm thresholds means the sink is not keeping up (or not running).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis

from analytics.emitter import CALL_EVENTS_STREAM

# Alarm thresholds: a healthy sink keeps the backlog to a few seconds of events.
DEFAULT_LAG_ALARM_ENTRIES = 100_000
DEFAULT_LAG_ALARM_S = 300.0


@dataclass(frozen=True)
class StreamBacklog:
    """Entries still held by the stream (after trimming: not yet durably written)."""

    entries: int
    pending: int  # delivered to the sink, not yet acknowledged
    oldest_age_s: float | None  # age of the oldest entry held; None when empty
    lagging: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "backlog": self.entries,
            "pending": self.pending,
            "oldestAgeS": self.oldest_age_s,
            "lagging": self.lagging,
        }


def _parse_id(entry_id: object) -> tuple[int, int]:
    text = _text(entry_id)
    ms, _, seq = text.partition("-")
    return int(ms), int(seq or 0)


class StreamRetention:
    """Trims one stream to what its consumer groups still need and measures the rest."""

    def __init__(
        self,
        redis: aioredis.Redis,
        stream: str = CALL_EVENTS_STREAM,
        *,
        lag_alarm_entries: int = DEFAULT_LAG_ALARM_ENTRIES,
        lag_alarm_s: float = DEFAULT_LAG_ALARM_S,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._redis = redis
        self._stream = stream
        self._lag_alarm_entries = lag_alarm_entries
        self._lag_alarm_s = lag_alarm_s
        self._clock = clock

    async def oldest_needed(self) -> tuple[int, int] | None:
        """The smallest id some group still needs; None when no group reads the stream."""
        groups = await self._groups()
        needed: list[tuple[int, int]] = []
        for group in groups:
            ms, seq = _parse_id(group["last-delivered-id"])
            first_undelivered = (ms, seq + 1)
            pending = await self._redis.xpending(self._stream, group["name"])
            if pending["pending"]:
                needed.append(min(_parse_id(pending["min"]), first_undelivered))
            else:
                needed.append(first_undelivered)
        return min(needed) if needed else None

    async def trim(self) -> int:
        """Delete every entry all groups have acknowledged; returns how many went.

        A stream nobody reads yet is left alone: its entries are all undelivered.
        """
        oldest = await self.oldest_needed()
        if oldest is None:
            return 0
        min_id = f"{oldest[0]}-{oldest[1]}"
        return int(await self._redis.xtrim(self._stream, minid=min_id, approximate=False))

    async def backlog(self) -> StreamBacklog:
        entries = int(await self._redis.xlen(self._stream))
        pending = sum(int(group["pending"]) for group in await self._groups())
        oldest_age_s = None
        if entries:
            first = await self._redis.xrange(self._stream, count=1)
            if first:
                oldest_ms, _ = _parse_id(first[0][0])
                oldest_age_s = round(max(0.0, self._clock() - oldest_ms / 1000), 3)
        lagging = entries > self._lag_alarm_entries or (
            oldest_age_s is not None and oldest_age_s > self._lag_alarm_s
        )
        return StreamBacklog(entries, pending, oldest_age_s, lagging)

    async def _groups(self) -> list[dict[str, Any]]:
        if not await self._redis.exists(self._stream):
            return []
        groups = await self._redis.xinfo_groups(self._stream)
        return [{_text(k): v for k, v in group.items()} for group in groups]


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
