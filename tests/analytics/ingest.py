"""Put call events on disk the way production does: a stream, then the drain."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from pathlib import Path

import redis.asyncio as aioredis

from analytics.drain import CallLogDrain
from analytics.emitter import CallEventEmitter
from analytics.events import CallEventBase


async def ingest(redis: aioredis.Redis, root: Path, events: Sequence[CallEventBase]) -> None:
    """Emit `events` to a fresh stream and drain it into Parquet under `root`."""
    stream = f"test:ingest:{uuid.uuid4().hex[:8]}"
    await CallEventEmitter(redis, stream=stream).emit_many(events)
    drain = CallLogDrain(redis, str(root), stream=stream, claim_idle_ms=None)
    try:
        await drain.drain_until_idle()
    finally:
        drain.close()
