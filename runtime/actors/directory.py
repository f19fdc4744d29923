"""The call directory: which company and which actor a live CallSid belongs to.

Any Serve replica may receive any webhook of a call, so the mapping lives in Redis
(`g:call:{CallSid}`, a hash with a TTL so a forgotten entry cannot leak). Each webhook
refreshes `last_seen`, which the pool's reaper reads to end calls Twilio never closed.

An entry goes `starting` (reserved by the first incoming webhook, atomically, so a
repeated webhook for the same CallSid never claims a second call slot) → `live` (its
actor is known) → `ended` (a tombstone kept for a while, so a replayed incoming webhook
cannot start the call again). This module is the only place that spells these keys.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis

CALL_KEY_PREFIX = "g:call:"
DEFAULT_ENTRY_TTL_S = 6 * 3600  # longer than any real call; refreshed by every webhook
STARTING_TTL_S = 120  # a reservation whose setup crashed stops blocking the CallSid then
ENDED_TTL_S = 6 * 3600  # how long an ended call's CallSid cannot be started again
STARTING, LIVE, ENDED = "starting", "live", "ended"

# Read the entry and, when it is a live call of the asking company, refresh last_seen and
# the TTL: one round trip, and no other tenant can keep a call alive.
_RESOLVE_AND_TOUCH = """
local entry = redis.call('HGETALL', KEYS[1])
local state = redis.call('HGET', KEYS[1], 'state')
if #entry > 0 and redis.call('HGET', KEYS[1], 'company_id') == ARGV[3]
   and (not state or state == 'live') then
  redis.call('HSET', KEYS[1], 'last_seen', ARGV[1])
  redis.call('EXPIRE', KEYS[1], ARGV[2])
end
return entry
"""

# Reserve the CallSid for a new call unless an entry exists: returns the existing entry
# (empty when the reservation is ours), so two racing webhooks never both claim a slot.
_RESERVE = """
local entry = redis.call('HGETALL', KEYS[1])
if #entry > 0 then
  return entry
end
redis.call('HSET', KEYS[1], 'company_id', ARGV[1], 'state', 'starting', 'last_seen', ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return {}
"""

# Write an entry's fields and its TTL, atomically: one command (a MULTI/EXEC pipeline is
# four, and its queueing replies are parsed on the webhook's thread).
_WRITE = """
redis.call('HSET', KEYS[1], 'company_id', ARGV[1], 'actor_name', ARGV[2], 'state', ARGV[3],
           'last_seen', ARGV[4])
redis.call('EXPIRE', KEYS[1], ARGV[5])
return 1
"""


@dataclass(frozen=True)
class CallEntry:
    call_sid: str
    company_id: str
    actor_name: str  # "" while the call is starting
    last_seen: float  # unix seconds of the call's last webhook
    state: str = LIVE  # STARTING, LIVE or ENDED

    @property
    def live(self) -> bool:
        return self.state == LIVE and bool(self.actor_name)


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _entry(call_sid: str, fields: dict[str, str]) -> CallEntry | None:
    """Any entry, whatever its state (entries written before states existed are live)."""
    try:
        return CallEntry(call_sid, fields["company_id"], fields.get("actor_name", ""),
                         float(fields["last_seen"]), fields.get("state", LIVE))
    except (KeyError, ValueError):
        return None


def _live(entry: CallEntry | None) -> CallEntry | None:
    return entry if entry is not None and entry.live else None


def _pairs(raw: list[Any]) -> dict[str, str]:
    items = [_text(item) for item in raw]
    return dict(zip(items[::2], items[1::2], strict=True))


class CallDirectory:
    def __init__(
        self,
        redis: aioredis.Redis,
        ttl_s: int = DEFAULT_ENTRY_TTL_S,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._redis = redis
        self.ttl_s = ttl_s
        self._clock = clock
        self._resolve_script = redis.register_script(_RESOLVE_AND_TOUCH)
        self._reserve_script = redis.register_script(_RESERVE)
        self._write_script = redis.register_script(_WRITE)

    @staticmethod
    def key(call_sid: str) -> str:
        return CALL_KEY_PREFIX + call_sid

    async def reserve(self, call_sid: str, company_id: str) -> CallEntry | None:
        """Reserve the CallSid for a new call of `company_id`: None when the reservation is
        ours, else the entry already there (a repeated webhook, or another company's)."""
        raw = await self._reserve_script(
            keys=[self.key(call_sid)], args=[company_id, repr(self._clock()), STARTING_TTL_S]
        )
        return _entry(call_sid, _pairs(raw)) if raw else None

    async def register(self, call_sid: str, company_id: str, actor_name: str) -> None:
        """Point the call at its actor (a new call, or a replacement actor after a crash)."""
        await self._write(call_sid, company_id, actor_name, LIVE, self.ttl_s)

    async def finish(self, call_sid: str, company_id: str) -> None:
        """The call ended: leave a tombstone so its CallSid cannot start a call again."""
        await self._write(call_sid, company_id, "", ENDED, ENDED_TTL_S)

    async def _write(self, call_sid: str, company_id: str, actor_name: str, state: str,
                     ttl_s: int) -> None:
        await self._write_script(keys=[self.key(call_sid)],
                                 args=[company_id, actor_name, state, repr(self._clock()), ttl_s])

    async def resolve(self, call_sid: str, company_id: str) -> CallEntry | None:
        """The live call's entry if it is `company_id`'s, marking it active now (every
        webhook of the call does this); None for an unknown, ended or another's call."""
        now = self._clock()
        raw = await self._resolve_script(
            keys=[self.key(call_sid)], args=[repr(now), self.ttl_s, company_id]
        )
        entry = _live(_entry(call_sid, _pairs(raw)))
        if entry is None or entry.company_id != company_id:
            return None
        return CallEntry(entry.call_sid, entry.company_id, entry.actor_name, now)

    async def peek(self, call_sid: str) -> CallEntry | None:
        """The entry in whatever state it is (starting, live, ended), without touching it."""
        fields = await self._redis.hgetall(self.key(call_sid))
        return _entry(call_sid, {_text(k): _text(v) for k, v in fields.items()})

    async def lookup(self, call_sid: str) -> CallEntry | None:
        """The live call's entry without marking activity (the reaper's view)."""
        return _live(await self.peek(call_sid))

    async def lookup_many(self, call_sids: Sequence[str]) -> dict[str, CallEntry | None]:
        async with self._redis.pipeline(transaction=False) as pipe:
            for call_sid in call_sids:
                pipe.hgetall(self.key(call_sid))
            results = await pipe.execute()
        return {
            call_sid: _live(_entry(call_sid, {_text(k): _text(v) for k, v in fields.items()}))
            for call_sid, fields in zip(call_sids, results, strict=True)
        }

    async def forget(self, call_sid: str) -> None:
        await self._redis.delete(self.key(call_sid))
