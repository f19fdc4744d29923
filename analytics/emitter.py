"""Append call events to the Redis stream the LogSink drains.

The stream lives in Redis with AOF on: once `emit` returns, the event survives a crash of
the caller, of the LogSink, and a restart of Redis (within the fsync window). The payload
is one JSON field, so the schema lives in `analytics.events` and nowhere else.
"""

from __future__ import annotations

from collections.abc import Iterable

import redis.asyncio as aioredis

from analytics.events import CallEventBase

CALL_EVENTS_STREAM = "g:stream:call-events"
PAYLOAD_FIELD = "event"


class CallEventEmitter:
    """What a call actor holds to report what happens on its call."""

    def __init__(
        self,
        redis: aioredis.Redis,
        stream: str = CALL_EVENTS_STREAM,
        maxlen: int | None = None,
    ) -> None:
        # maxlen trims the stream approximately; leave it None unless the LogSink is known
        # to keep up, because trimming drops entries that were never drained.
        self._redis = redis
        self._stream = stream
        self._maxlen = maxlen

    @property
    def stream(self) -> str:
        return self._stream

    async def emit(self, event: CallEventBase) -> str:
        """XADD one event; returns its stream id."""
        entry_id = await self._redis.xadd(
            self._stream,
            {PAYLOAD_FIELD: event.to_json()},
            maxlen=self._maxlen,
            approximate=True,
        )
        return entry_id.decode() if isinstance(entry_id, bytes) else str(entry_id)

    async def emit_many(self, events: Iterable[CallEventBase]) -> int:
        """XADD many events in one round trip (replays, generators, benchmarks)."""
        return await self.emit_payloads(event.to_json() for event in events)

    async def emit_payloads(self, payloads: Iterable[str]) -> int:
        """XADD events already serialized by `CallEventBase.to_json`, in one round trip
        (a call re-sending the events an earlier attempt could not deliver)."""
        pipe = self._redis.pipeline(transaction=False)
        count = 0
        for payload in payloads:
            pipe.xadd(self._stream, {PAYLOAD_FIELD: payload}, maxlen=self._maxlen,
                      approximate=True)
            count += 1
        if count:
            await pipe.execute()
        return count
