"""The call directory: which company and which actor a live CallSid belongs to.

Any Serve replica may receive any webhook of a call, so the mapping lives in Redis
(`g:call:{CallSid}`, a hash with a TTL so a forgotten entry cannot leak). Each webhook
refreshes `last_seen`, which the pool's reaper reads to end calls Twilio never closed.
This module is the only place that spells these keys.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis

CALL_KEY_PREFIX = "g:call:"
DEFAULT_ENTRY_TTL_S = 6 * 3600  # longer than any real call; refreshed by every webhook

# Read the entry and, when it belongs to the asking company, refresh last_seen and the
# TTL: one round trip, and no other tenant can keep a call alive.
_RESOLVE_AND_TOUCH = """
local entry = redis.call('HGETALL', KEYS[1])
if #entry > 0 and redis.call('HGET', KEYS[1], 'company_id') == ARGV[3] then
  redis.call('HSET', KEYS[1], 'last_seen', ARGV[1])
  redis.call('EXPIRE', KEYS[1], ARGV[2])
end
return entry
"""


@dataclass(frozen=True)
class CallEntry:
    call_sid: str
    company_id: str
    actor_name: str
    last_seen: float  # unix seconds of the call's last webhook


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _entry(call_sid: str, fields: dict[str, str]) -> CallEntry | None:
    try:
        return CallEntry(call_sid, fields["company_id"], fields["actor_name"],
                         float(fields["last_seen"]))
    except (KeyError, ValueError):
        return None


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

    @staticmethod
    def key(call_sid: str) -> str:
        return CALL_KEY_PREFIX + call_sid

    async def register(self, call_sid: str, company_id: str, actor_name: str) -> None:
        """Point the call at its actor (a new call, or a replacement actor after a crash)."""
        key = self.key(call_sid)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, mapping={
                "company_id": company_id, "actor_name": actor_name,
                "last_seen": repr(self._clock()),
            })
            pipe.expire(key, self.ttl_s)
            await pipe.execute()

    async def resolve(self, call_sid: str, company_id: str) -> CallEntry | None:
        """The call's entry if it is `company_id`'s, marking it active now (every webhook
        of the call does this); None for an unknown call or another company's."""
        now = self._clock()
        raw = await self._resolve_script(
            keys=[self.key(call_sid)], args=[repr(now), self.ttl_s, company_id]
        )
        pairs = [_text(item) for item in raw]
        entry = _entry(call_sid, dict(zip(pairs[::2], pairs[1::2], strict=True)))
        if entry is None or entry.company_id != company_id:
            return None
        return CallEntry(entry.call_sid, entry.company_id, entry.actor_name, now)

    async def lookup(self, call_sid: str) -> CallEntry | None:
        """The call's entry without marking activity (the reaper's view)."""
        fields = await self._redis.hgetall(self.key(call_sid))
        return _entry(call_sid, {_text(k): _text(v) for k, v in fields.items()})

    async def lookup_many(self, call_sids: Sequence[str]) -> dict[str, CallEntry | None]:
        async with self._redis.pipeline(transaction=False) as pipe:
            for call_sid in call_sids:
                pipe.hgetall(self.key(call_sid))
            results = await pipe.execute()
        return {
            call_sid: _entry(call_sid, {_text(k): _text(v) for k, v in fields.items()})
            for call_sid, fields in zip(call_sids, results, strict=True)
        }

    async def forget(self, call_sid: str) -> None:
        await self._redis.delete(self.key(call_sid))
