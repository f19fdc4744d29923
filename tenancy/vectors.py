"""Sentence vectors of a company's knowledge entries, kept beside the entries in Redis.

One hash per company, field = entry id, value = JSON with the model that made the vector
(vectors of different models are never compared), a digest of the text it was made from
(an edited entry's old vector is stale) and the float32 vector in base64. The hash key is
handed in by `TenantStore`, which owns the key layout. Tenancy stores bytes; computing
vectors is the runtime's job (`runtime/meaning/entry_vectors.py`).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from dataclasses import dataclass

import redis.asyncio as aioredis


@dataclass(frozen=True)
class StoredVector:
    model: str
    text_digest: str
    data: bytes  # little-endian float32
    truncated: bool = False

    def to_json(self) -> str:
        return json.dumps({
            "model": self.model, "textDigest": self.text_digest,
            "vector": base64.b64encode(self.data).decode(), "truncated": self.truncated,
        })

    @classmethod
    def from_json(cls, raw: str | bytes) -> StoredVector:
        value = json.loads(raw)
        return cls(value["model"], value["textDigest"], base64.b64decode(value["vector"]),
                   bool(value.get("truncated", False)))


class VectorShelf:
    def __init__(self, redis: aioredis.Redis, key: str) -> None:
        self._redis = redis
        self._key = key

    async def load(self, entry_ids: Iterable[str]) -> dict[str, StoredVector]:
        ids = list(entry_ids)
        if not ids:
            return {}
        values = await self._redis.hmget(self._key, ids)
        return {
            entry_id: StoredVector.from_json(value)
            for entry_id, value in zip(ids, values, strict=True) if value is not None
        }

    async def save(self, vectors: dict[str, StoredVector]) -> None:
        if vectors:
            await self._redis.hset(
                self._key, mapping={entry_id: v.to_json() for entry_id, v in vectors.items()}
            )

    async def delete(self, entry_id: str) -> None:
        await self._redis.hdel(self._key, entry_id)
