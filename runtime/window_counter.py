"""Fixed-window counters in Redis, shared by every Serve replica.

A limit kept in one replica's memory lets N replicas allow N times the limit, and forgets
everything when a replica restarts. One INCR (plus EXPIRE on the window's first hit) per
counted request keeps the count in Redis, where every replica sees it. This module is
the only place that spells these keys (`g:rate:{scope}:{subject}:{window}`).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import redis.asyncio as aioredis

RATE_KEY_PREFIX = "g:rate:"


class WindowCounter:
    def __init__(self, redis: aioredis.Redis, window_s: int = 60,
                 clock: Callable[[], float] = time.time) -> None:
        self._redis = redis
        self.window_s = window_s
        self._clock = clock

    def key(self, scope: str, subject: str) -> str:
        window = int(self._clock() // self.window_s)
        return f"{RATE_KEY_PREFIX}{scope}:{subject}:{window}"

    async def hit(self, scope: str, subject: str) -> int:
        """Count one event for `subject` in the current window; returns the window's count."""
        key = self.key(scope, subject)
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.incr(key)
            pipe.expire(key, self.window_s * 2)  # the window is in the key: refreshing is harmless
            count, _ = await pipe.execute()
        return int(count)

    def retry_after_s(self) -> int:
        """Seconds until the current window ends."""
        return max(1, int(self.window_s - self._clock() % self.window_s))
