"""A company's learning suggestions, their cluster centroids and the refresh watermark.

A refresh writes every changed suggestion, centroid and the new watermark in one MULTI,
so a crash never leaves questions counted without the watermark moving past them (or
the reverse). Refreshes and decisions on one company take the same Redis lock, so an
approval is never overwritten by a refresh that read the suggestion before it.
The keys are handed in by `TenantStore`, which owns the key layout.
"""

from __future__ import annotations

from collections.abc import Iterable

import redis.asyncio as aioredis
from redis.asyncio.lock import Lock

from tenancy.models.suggestions import LearningWatermark, Suggestion
from tenancy.records import RecordCollection
from tenancy.vectors import StoredVector, VectorShelf

LOCK_TIMEOUT_S = 120  # a holder that died releases the lock after this
LOCK_WAIT_S = 30


class SuggestionBook(RecordCollection[Suggestion]):
    def __init__(self, redis: aioredis.Redis, key: str, centroid_key: str,
                 watermark_key: str, lock_key: str) -> None:
        super().__init__(redis, key, Suggestion, "suggestion")
        self.centroids = VectorShelf(redis, centroid_key)
        self._centroid_key = centroid_key
        self._watermark_key = watermark_key
        self._lock_key = lock_key

    def lock(self) -> Lock:
        return self._redis.lock(self._lock_key, timeout=LOCK_TIMEOUT_S,
                                blocking_timeout=LOCK_WAIT_S)

    async def watermark(self) -> LearningWatermark:
        raw = await self._redis.get(self._watermark_key)
        return LearningWatermark() if raw is None else LearningWatermark.model_validate_json(raw)

    async def count(self) -> int:
        return int(await self._redis.hlen(self._key))

    async def save_refresh(self, suggestions: Iterable[Suggestion],
                           centroids: dict[str, StoredVector],
                           watermark: LearningWatermark) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            changed = {s.id: s.model_dump_json(by_alias=True) for s in suggestions}
            if changed:
                pipe.hset(self._key, mapping=changed)  # type: ignore[arg-type]
            if centroids:
                pipe.hset(self._centroid_key,  # type: ignore[arg-type]
                          mapping={i: v.to_json() for i, v in centroids.items()})
            pipe.set(self._watermark_key, watermark.model_dump_json())
            await pipe.execute()

    async def save(self, suggestion: Suggestion) -> None:
        await self._write(suggestion)
