"""Fixed-window counters in Redis, shared by every Serve replica.

A limit kept in one replica's memory lets N replicas allow N times the limit, and forgets
everything when a replica restarts. One INCR and EXPIRE per counted request (one script
call: a single command and reply for the webhook's thread) keeps the count in Redis, where
every replica sees it. This module is the only place that spells these keys
(`g:rate:{scope}:{subject}:{window}`).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import redis.asyncio as aioredis

RATE_KEY_PREFIX = "g:rate:"
# The window is in the key: refreshing its expiry on every hit is harmless.
_HIT = """
local count = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[1])
return count
"""


class WindowCounter:
    def __init__(self, redis: aioredis.Redis, window_s: int = 60,
                 clock: Callable[[], float] = time.time) -> None:
        self._redis = redis
        self.window_s = window_s
        self._clock = clock
        self._hit = redis.register_script(_HIT)

    def key(self, scope: str, subject: str) -> str:
        window = int(self._clock() // self.window_s)
        return f"{RATE_KEY_PREFIX}{scope}:{subject}:{window}"

    async def hit(self, scope: str, subject: str) -> int:
        """Count one event for `subject` in the current window; returns the window's count."""
        return int(await self._hit(keys=[self.key(scope, subject)], args=[self.window_s * 2]))

    def retry_after_s(self) -> int:
        """Seconds until the current window ends."""
        return max(1, int(self.window_s - self._clock() % self.window_s))
