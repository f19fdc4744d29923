"""A call's events survive a Redis crash mid-call (issue 13, item 6).

The emitter's Redis is SIGKILLed between two turns: the turn's events cannot be written,
stay in the call record (which the checkpoint carries), and reach the stream, in order,
with the next events once Redis is back. Nothing is lost and nothing is doubled.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import redis.asyncio as aioredis

from analytics.emitter import CALL_EVENTS_STREAM, CallEventEmitter
from analytics.events import CallEnded, CallStarted, TurnRecorded, parse_event
from runtime.actors.call_record import CallRecord, CallRecorder
from runtime.conversation import CallContext, Listen, TurnOutcome
from runtime.embedded_redis import EmbeddedRedis

COMPANY = "a" * 24


@pytest.fixture
def private_redis(tmp_path):
    server = EmbeddedRedis(data_dir=tmp_path / "redis").start()
    yield server
    server.stop()


async def stream_events(url: str) -> list:
    client = aioredis.Redis.from_url(url)
    try:
        entries = await client.xrange(CALL_EVENTS_STREAM)
    finally:
        await client.aclose()
    return [parse_event(fields[b"event"].decode()) for _, fields in entries]


async def test_events_emitted_while_redis_is_down_reach_the_stream_afterwards(private_redis):
    admin = aioredis.Redis.from_url(private_redis.url)
    await admin.config_set("appendfsync", "always")  # what was acknowledged is on disk
    await admin.aclose()
    client = aioredis.Redis.from_url(private_redis.url, socket_timeout=2,
                                     socket_connect_timeout=2)
    recorder = CallRecorder(CallEventEmitter(client))
    record = CallRecord()
    ctx = CallContext("CA" + "1" * 32, "+12395550001", "+12395550100", datetime.now(UTC))
    await recorder.started(record, COMPANY, ctx)
    await recorder.turn(record, COMPANY, ctx, "hello", TurnOutcome("Hi there.", Listen(),
                        "knowledge"), total_ms=5.0, tts_first_byte_ms=None)
    assert record.unsent == []

    private_redis.process.kill()  # SIGKILL, mid-call
    private_redis.process.wait()
    await recorder.turn(record, COMPANY, ctx, "are you open", TurnOutcome(
        "We open at eight.", Listen(), "knowledge"), total_ms=5.0, tts_first_byte_ms=None)
    assert len(record.unsent) == 1 and record.emit_failures == 1
    record = CallRecord.from_dict(record.to_dict())  # what a takeover restores

    private_redis.start()  # same port and folder: the AOF brings back what was written
    await recorder.ended(record, COMPANY, ctx, call_status="completed", duration_s=30.0,
                         turn_count=2)
    await client.aclose()
    assert record.unsent == []
    events = await stream_events(private_redis.url)
    assert [type(e) for e in events] == [CallStarted, TurnRecorded, TurnRecorded, CallEnded]
    assert [e.turn_index for e in events if isinstance(e, TurnRecorded)] == [0, 1]
    assert len({e.event_id for e in events}) == 4
