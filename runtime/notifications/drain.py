"""The outbox drain: reads due attempts from the stream and sends them, one at a time.

A consumer group with a stable consumer name: a drain that died finds the entries it
had read but not acknowledged in its own pending list and goes through them first
(the sender skips what the records say is done). Retries and quiet-hour holds wait
in the delayed set and move onto the stream when due.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any, cast

import redis.asyncio as aioredis
import structlog
from redis.exceptions import ResponseError

from runtime.notifications.sender import NotificationSender
from tenancy.notification_book import Outbox

log = structlog.get_logger(__name__)

GROUP = "notifier"
ERROR_BACKOFF_S = 1.0
MAX_ENTRY_CRASHES = 5  # an entry whose sending keeps crashing is given up, not retried forever


class NotificationDrain:
    def __init__(self, redis: aioredis.Redis, sender: NotificationSender, *,
                 outbox: Outbox | None = None, consumer: str = "notifier-1",
                 batch: int = 20) -> None:
        self._redis = redis
        self._sender = sender
        self._outbox = outbox or Outbox()
        self._consumer = consumer
        self._batch = batch
        self._read_pending = True  # first go through what a previous run left unacknowledged
        self._crashes: dict[str, int] = {}  # entry id → sends that raised (not SendFailed)

    async def ensure_group(self) -> None:
        try:
            await self._redis.xgroup_create(self._outbox.stream, GROUP, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def promote_due(self, now: float | None = None) -> int:
        """Move attempts whose time has come from the delayed set onto the stream."""
        due = cast(list[str], await self._redis.zrangebyscore(
            self._outbox.delayed, "-inf", time.time() if now is None else now, start=0, num=100))
        for member in due:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.xadd(self._outbox.stream, json.loads(member))
                pipe.zrem(self._outbox.delayed, member)
                await pipe.execute()
        return len(due)

    async def run_once(self, block_ms: int = 1000) -> int:
        """One round: promote due retries, read a batch, send each; entries handled."""
        await self.promote_due()
        entries: list[Any] = []
        if self._read_pending:  # ours, read before a crash and never acknowledged
            entries = await self._read("0", None)
            self._read_pending = bool(entries)
        if not entries:
            entries = await self._read(">", block_ms)
        for entry_id, fields in entries:
            try:
                target = fields["company_id"], fields["notification_id"], int(fields["attempt"])
            except (KeyError, ValueError):
                log.error("notification_entry_malformed", entry_id=entry_id)
            else:
                try:
                    await self._sender.deliver(*target)
                except Exception:
                    if self._crashed(entry_id):
                        continue  # stays pending: read again next round
            self._crashes.pop(entry_id, None)
            await self._redis.xack(self._outbox.stream, GROUP, entry_id)
        return len(entries)

    def _crashed(self, entry_id: str) -> bool:
        """Count a crash of `entry_id`'s sending; True while it should be tried again."""
        crashes = self._crashes[entry_id] = self._crashes.get(entry_id, 0) + 1
        log.exception("notification_send_crashed", entry_id=entry_id, crashes=crashes)
        if crashes < MAX_ENTRY_CRASHES:
            self._read_pending = True
            return True
        log.error("notification_entry_abandoned", entry_id=entry_id)
        return False

    async def _read(self, start: str, block_ms: int | None) -> list[Any]:
        reply: Any = await self._redis.xreadgroup(
            GROUP, self._consumer, {self._outbox.stream: start}, count=self._batch,
            block=block_ms)
        return reply[0][1] if reply else []

    async def run(self, stop: asyncio.Event) -> None:
        await self.ensure_group()
        while not stop.is_set():
            try:
                await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:  # Redis restarting, a bad entry: read the pending list again
                log.exception("notification_drain_failed")
                self._read_pending = True
                await asyncio.sleep(ERROR_BACKOFF_S)
