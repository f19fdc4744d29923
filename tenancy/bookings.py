"""A company's bookings in Redis, with reservations that cannot double-book a crew.

Three structures, keys handed in by `TenantStore`: the records (hash id → JSON), the
calendar (sorted set id → start, every booking) and the busy spans (hash id → "start end"
in epoch seconds, confirmed bookings only, buffer included). A reservation is one Lua
script: it measures the peak load over the new span and writes all three only if a crew
is free, so two calls racing for the last slot end with exactly one booking.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import cast

import redis.asyncio as aioredis

from tenancy.errors import Conflict, NotFound
from tenancy.models.booking import MAX_VISIT_MINUTES, Booking
from tenancy.scheduling import Span

MAX_BOOKINGS = 20000  # per company, cancelled ones included
MAX_SPAN_S = (MAX_VISIT_MINUTES + 240) * 60  # longest visit plus the longest buffer

# KEYS: records, calendar, spans. ARGV: id, span start, span end, crews, max span, json, and
# for a reschedule the updatedAt the stored booking must still have ('' for a new booking).
_RESERVE = """
local id, s, e = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
if ARGV[7] ~= '' then
  local stored = redis.call('HGET', KEYS[1], id)
  if not stored or cjson.decode(stored)['updatedAt'] ~= ARGV[7] then return -1 end
end
local crews, reach = tonumber(ARGV[4]), tonumber(ARGV[5])
local points = {}
for _, other in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], s - reach, '(' .. e)) do
  local busy = other ~= id and redis.call('HGET', KEYS[3], other)
  if busy then
    local a, b = string.match(busy, '(%d+) (%d+)')
    a, b = tonumber(a), tonumber(b)
    if a < e and b > s then
      table.insert(points, {math.max(a, s), 1})
      table.insert(points, {math.min(b, e), -1})
    end
  end
end
table.sort(points, function(x, y)
  if x[1] == y[1] then return x[2] < y[2] end
  return x[1] < y[1]
end)
local load, peak = 0, 0
for _, point in ipairs(points) do
  load = load + point[2]
  if load > peak then peak = load end
end
if peak >= crews then return 0 end
redis.call('HSET', KEYS[1], id, ARGV[6])
redis.call('ZADD', KEYS[2], s, id)
redis.call('HSET', KEYS[3], id, ARGV[2] .. ' ' .. ARGV[3])
return 1
"""

# KEYS: records, spans. ARGV: id, json, the updatedAt the stored booking must still have.
# Frees the crew and stores the cancelled record.
_RELEASE = """
local stored = redis.call('HGET', KEYS[1], ARGV[1])
if not stored or cjson.decode(stored)['updatedAt'] ~= ARGV[3] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HDEL', KEYS[2], ARGV[1])
return 1
"""


# KEYS: records. ARGV: id, the updatedAt it must still have, json. Writes only an unchanged record.
_REPLACE_IF_UNCHANGED = """
local stored = redis.call('HGET', KEYS[1], ARGV[1])
if not stored or cjson.decode(stored)['updatedAt'] ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1
"""


class SlotTaken(Conflict):
    """409: every crew is busy for part of the requested time."""


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


class BookingBook:
    def __init__(self, redis: aioredis.Redis, records: str, calendar: str, spans: str) -> None:
        self._redis = redis
        self._records, self._calendar, self._spans = records, calendar, spans
        self._reserve = redis.register_script(_RESERVE)
        self._release = redis.register_script(_RELEASE)
        self._replace = redis.register_script(_REPLACE_IF_UNCHANGED)

    async def get(self, booking_id: str) -> Booking:
        raw = await self._redis.hget(self._records, booking_id)
        if raw is None:
            raise NotFound(f"booking {booking_id} not found")
        return Booking.model_validate_json(raw)

    async def between(self, start: datetime, end: datetime) -> list[Booking]:
        """Bookings starting in [start, end), in start order, cancelled ones included."""
        ids = cast(list[str], await self._redis.zrangebyscore(
            self._calendar, _epoch(start), f"({_epoch(end)}"))
        if not ids:
            return []
        raws = await self._redis.hmget(self._records, ids)
        return [Booking.model_validate_json(raw) for raw in raws if raw is not None]

    async def busy(self, start: datetime, end: datetime) -> list[Span]:
        """Busy spans (buffer included) of confirmed bookings overlapping [start, end)."""
        ids = cast(list[str], await self._redis.zrangebyscore(
            self._calendar, _epoch(start) - MAX_SPAN_S, f"({_epoch(end)}"
        ))
        if not ids:
            return []
        spans = []
        for value in await self._redis.hmget(self._spans, ids):
            if value is not None:
                first, last = (int(part) for part in cast(str, value).split())
                spans.append((datetime.fromtimestamp(first, start.tzinfo),
                              datetime.fromtimestamp(last, start.tzinfo)))
        return [span for span in spans if span[0] < end and span[1] > start]

    async def upcoming_for(self, phone: str, now: datetime) -> list[Booking]:
        """The caller's confirmed bookings that have not started yet, soonest first."""
        later = await self.between(now, now + timedelta(days=400))
        return [b for b in later if b.customerPhone == phone and b.status == "confirmed"]

    async def reserve(self, booking: Booking, span: Span, crews: int,
                      replacing: Booking | None = None) -> Booking:
        """Write the booking if a crew is free over `span`; `SlotTaken` otherwise.

        The same call reschedules (`replacing`: the stored version being moved): the
        booking's own current span is not counted, and a booking changed or cancelled
        meanwhile is a `Conflict`, never written over.
        """
        expected = replacing.model_dump(mode="json")["updatedAt"] if replacing else ""
        if await self._redis.hlen(self._records) >= MAX_BOOKINGS and not await \
                self._redis.hexists(self._records, booking.id):
            raise Conflict(f"a company can hold at most {MAX_BOOKINGS} bookings")
        written = await self._reserve(
            keys=[self._records, self._calendar, self._spans],
            args=[booking.id, _epoch(span[0]), _epoch(span[1]), crews, MAX_SPAN_S,
                  booking.model_dump_json(by_alias=True), expected],
        )
        if written == -1:
            raise Conflict(f"booking {booking.id} was changed meanwhile, try again")
        if not written:
            raise SlotTaken("that time is no longer available; every crew is booked")
        return booking

    async def release(self, current: Booking, cancelled: Booking) -> Booking:
        """Store `cancelled` in place of `current` and free its crew, in one step; a
        booking changed meanwhile is a `Conflict`."""
        expected = current.model_dump(mode="json")["updatedAt"]
        released = await self._release(keys=[self._records, self._spans], args=[
            current.id, cancelled.model_dump_json(by_alias=True), expected])
        if not released:
            raise Conflict(f"booking {current.id} was changed meanwhile, try again")
        return cancelled

    async def replace(self, current: Booking, updated: Booking) -> bool:
        """Store `updated` in place of `current` (same time, same crew) only if the stored
        booking is still `current`: a concurrent cancel or edit is never written over."""
        expected = current.model_dump(mode="json")["updatedAt"]
        written = await self._replace(keys=[self._records], args=[
            current.id, expected, updated.model_dump_json(by_alias=True)])
        return bool(written)
