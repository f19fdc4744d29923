"""Append call events to the Redis stream the LogSink drains.

The stream lives in Redis with AOF on: once `emit` returns, the event survives a crash of
the caller, of the LogSink, and a restart of Redis (within the fsync window). The payload
is one JSON field, so the schema lives in `analytics.events` and nowhere else.

The stream is bounded without losing events: the LogSink trims what it has written
(`analytics.stream_retention`), and an emitter refuses to append once the stream holds
`max_backlog` entries (the sink is down or far behind). Refusing raises
`CallEventBacklogFull`, so the caller still holds the event and can retry it later;
nothing already in the stream is ever dropped to make room.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import redis.asyncio as aioredis
from redis.exceptions import ResponseError

from analytics.events import CallEventBase

CALL_EVENTS_STREAM = "g:stream:call-events"
PAYLOAD_FIELD = "event"
# ~575 bytes per typical turn event: one million entries is about 0.6 GB of Redis memory
# (the ceiling counts entries: a turn with two 4,000-character texts is ~8 KB).
DEFAULT_MAX_BACKLOG = 1_000_000
_FULL = "CALLEVENTSFULL"
EMIT_CHUNK = 1000  # events per script call: keeps each atomic step short for Redis

# Check and append in one step, so concurrent emitters cannot overshoot the ceiling.
# KEYS[1] the stream; ARGV: the ceiling, the field, how many keys to set (S), the value and
# lifetime (s) of each, the payloads. Once the payloads are in, KEYS[2..S+1] are set to
# their values and any further keys deleted.
Save = tuple[str, str | bytes, int]  # key, value, lifetime (s)
_APPEND_BOUNDED = f"""
local saves = tonumber(ARGV[3])
local first = 4 + 2 * saves
local count = #ARGV - first + 1
local held = redis.call('XLEN', KEYS[1])
if count > 0 and held + count > tonumber(ARGV[1]) then
  return redis.error_reply('{_FULL} ' .. held .. ' entries held')
end
local ids = {{}}
for i = first, #ARGV do
  ids[#ids + 1] = redis.call('XADD', KEYS[1], '*', ARGV[2], ARGV[i])
end
for k = 1, saves do
  redis.call('SET', KEYS[k + 1], ARGV[2 + 2 * k], 'EX', ARGV[3 + 2 * k])
end
if #KEYS > saves + 1 then
  redis.call('DEL', unpack(KEYS, saves + 2))
end
return ids
"""


class CallEventBacklogFull(RuntimeError):
    """The stream holds `max_backlog` undrained entries: the event was not appended."""


class CallEventEmitter:
    """What a call actor holds to report what happens on its call."""

    def __init__(
        self,
        redis: aioredis.Redis,
        stream: str = CALL_EVENTS_STREAM,
        max_backlog: int = DEFAULT_MAX_BACKLOG,
    ) -> None:
        self._redis = redis
        self._stream = stream
        self._max_backlog = max_backlog
        self._append = redis.register_script(_APPEND_BOUNDED)

    @property
    def stream(self) -> str:
        return self._stream

    async def emit(self, event: CallEventBase) -> str:
        """XADD one event; returns its stream id."""
        return (await self._add([event.to_json()]))[0]

    async def emit_many(self, events: Iterable[CallEventBase]) -> int:
        """XADD many events (replays, generators, benchmarks); see `emit_payloads`."""
        return await self.emit_payloads(event.to_json() for event in events)

    async def emit_payloads(self, payloads: Iterable[str]) -> int:
        """XADD events already serialized by `CallEventBase.to_json` (a call re-sending what
        an earlier attempt could not deliver), a chunk per round trip, each chunk all or
        none. Re-emitting after a refusal is safe: events carry a stable `event_id` and
        queries keep one row per id."""
        batch = list(payloads)
        for start in range(0, len(batch), EMIT_CHUNK):
            await self._add(batch[start : start + EMIT_CHUNK])
        return len(batch)

    async def emit_then_save(self, payloads: list[str], saves: Sequence[Save],
                             deletes: Sequence[str] = ()) -> None:
        """`emit_payloads`, then SET each (key, value, lifetime in s) of `saves` and
        delete the keys `deletes` in the same step as the last events: one round trip for a
        writer whose own record of what it sent (a call's checkpoint) goes with them. Never
        written when the events are refused, so that record cannot claim events the stream
        does not have, nor be lost while it holds events the stream has not."""
        last = max(0, len(payloads) - EMIT_CHUNK)
        if last:
            await self.emit_payloads(payloads[:last])
        await self._add(payloads[last:], saves, deletes)

    async def _add(self, payloads: list[str], saves: Sequence[Save] = (),
                   deletes: Sequence[str] = ()) -> list[str]:
        if not payloads and not saves and not deletes:
            return []
        keys = [self._stream, *(key for key, _, _ in saves), *deletes]
        args: list[str | bytes | int] = [self._max_backlog, PAYLOAD_FIELD, len(saves)]
        for _, value, ttl_s in saves:
            args += [value, ttl_s]
        try:
            ids = await self._append(keys=keys, args=[*args, *payloads])
        except ResponseError as exc:
            if _FULL in str(exc):
                raise CallEventBacklogFull(
                    f"{self._stream}: {exc}; the LogSink is not draining"
                ) from exc
            raise
        return [i.decode() if isinstance(i, bytes) else str(i) for i in ids]
