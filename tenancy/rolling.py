"""Collections the runtime writes on its own (the inbox, notifications): when one is full,
the oldest records that are done with make room, instead of the newest being refused.

A client-written collection refuses its 5001st record (`RecordCollection`); a message a
caller left tonight must not be refused because last year's are still stored.
"""

from __future__ import annotations

import redis.asyncio as aioredis

from tenancy.models.messages import TakenMessage
from tenancy.records import MAX_RECORDS, Record, RecordCollection

PRUNE_FRACTION = 10  # a full collection sheds a tenth at once, not one record per write


class RollingCollection(RecordCollection[Record]):
    limit = MAX_RECORDS

    def obsolete(self, record: Record) -> bool:
        """May go when room is needed (the oldest of these go first)."""
        return True

    async def make_room(self) -> int:
        """Delete the oldest obsolete records once the collection is full; how many."""
        if await self._redis.hlen(self._key) < self.limit:
            return 0
        victims = [r for r in await self.list() if self.obsolete(r)]
        victims = victims[:max(1, self.limit // PRUNE_FRACTION)]
        if victims:
            await self.drop(victims)
        return len(victims)

    async def drop(self, records: list[Record]) -> None:
        await self._redis.hdel(self._key, *(r.id for r in records))

    async def keep(self, record: Record) -> bool:
        await self.make_room()
        if await self._redis.hexists(self._key, record.id):
            return False
        await self._write(record)
        return True


class Inbox(RollingCollection[TakenMessage]):
    """Taken messages; handled ones make room first, then the oldest."""

    def __init__(self, redis: aioredis.Redis, key: str) -> None:
        super().__init__(redis, key, TakenMessage, "message")

    async def make_room(self) -> int:
        removed = await super().make_room()
        if not removed and await self._redis.hlen(self._key) >= self.limit:
            await self.drop((await self.list())[:1])  # all still new: the oldest goes
            removed = 1
        return removed

    def obsolete(self, record: TakenMessage) -> bool:
        return record.status == "handled"
