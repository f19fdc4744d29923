"""A company's notifications: the outbox records, written together with their stream entry.

`queue` stores the record and adds `{company_id, notification_id, attempt}` to the
outbox stream in one MULTI, so a notification is never stored without being queued
(nor queued without being stored). A Twilio MessageSid → notification index lets the
signed status callback find the record it updates.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import redis.asyncio as aioredis

from tenancy.models.messages import Notification
from tenancy.rolling import RollingCollection

OUTBOX_MAX_ENTRIES = 100_000  # approximate cap on the shared outbox stream


@dataclass(frozen=True)
class Outbox:
    """The shared outbox: a stream of attempts due now, a sorted set of later ones."""

    stream: str = "notifications:outbox"
    delayed: str = "notifications:delayed"  # score: when the attempt is due (epoch s)


class NotificationBook(RollingCollection[Notification]):
    """When full, the oldest finished notifications make room; queued ones never do."""

    def __init__(self, redis: aioredis.Redis, company_id: str, key: str, sid_key: str) -> None:
        super().__init__(redis, key, Notification, "notification")
        self._company_id = company_id
        self._sid_key = sid_key

    async def queue(self, notification: Notification, outbox: Outbox) -> None:
        """Store the record and queue attempt `attempts + 1` (the first, or a retry):
        on the stream, or in the delayed set until `notBefore`."""
        await self.make_room()
        entry = {"company_id": self._company_id, "notification_id": notification.id,
                 "attempt": str(notification.attempts + 1)}
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(self._key, notification.id, notification.model_dump_json(by_alias=True))
            if notification.notBefore is None:
                pipe.xadd(outbox.stream, entry,  # type: ignore[arg-type]
                          maxlen=OUTBOX_MAX_ENTRIES, approximate=True)
            else:
                due = notification.notBefore.timestamp()
                pipe.zadd(outbox.delayed, {json.dumps(entry, sort_keys=True): due})
            await pipe.execute()

    async def queue_once(self, notification: Notification, outbox: Outbox) -> bool:
        """`queue` unless a notification with this id (its idempotency key) is stored."""
        if await self._redis.hexists(self._key, notification.id):
            return False
        await self.queue(notification, outbox)
        return True

    def obsolete(self, record: Notification) -> bool:
        return record.status != "queued"

    async def drop(self, records: list[Notification]) -> None:
        sids = [sid for record in records for sid in record.providerIds]
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hdel(self._key, *(r.id for r in records))
            if sids:
                pipe.hdel(self._sid_key, *sids)
            await pipe.execute()

    async def save(self, notification: Notification) -> None:
        """Write the record after a sending attempt, indexing its provider ids."""
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(self._key, notification.id, notification.model_dump_json(by_alias=True))
            for sid in notification.providerIds:
                pipe.hset(self._sid_key, sid, notification.id)
            await pipe.execute()

    async def find_by_provider_id(self, provider_id: str) -> Notification | None:
        return await self.get_indexed(self._sid_key, provider_id)
