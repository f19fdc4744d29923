"""`CallEventEmitter.emit_then_save`: a writer's own record (a call's checkpoint) goes to
Redis in the round trip of its events, and only once they are in the stream."""

from __future__ import annotations

import uuid

import pytest
import redis.asyncio as aioredis

from analytics.emitter import EMIT_CHUNK, CallEventBacklogFull, CallEventEmitter


def _names() -> tuple[str, str]:
    tag = uuid.uuid4().hex[:8]
    return f"test:emit-then-save:{tag}", f"test:emit-then-save:{tag}:saved"


async def _held(redis: aioredis.Redis, stream: str) -> list[str]:
    return [fields["event"] for _, fields in await redis.xrange(stream)]


async def test_the_value_is_set_with_the_events(redis_async: aioredis.Redis) -> None:
    stream, key = _names()
    emitter = CallEventEmitter(redis_async, stream=stream)

    await emitter.emit_then_save(["first", "second"], [(key, "checkpoint", 60)])

    assert await _held(redis_async, stream) == ["first", "second"]
    assert await redis_async.get(key) == "checkpoint"
    assert 0 < await redis_async.ttl(key) <= 60


async def test_several_values_are_set_with_the_events(redis_async: aioredis.Redis) -> None:
    stream, key = _names()
    other = f"{key}:other"
    emitter = CallEventEmitter(redis_async, stream=stream)

    await emitter.emit_then_save(["first"], [(key, "turn", 60), (other, "snapshot", 30)])

    assert await _held(redis_async, stream) == ["first"]
    assert await redis_async.get(key) == "turn" and await redis_async.get(other) == "snapshot"
    assert 30 < await redis_async.ttl(key) <= 60 and 0 < await redis_async.ttl(other) <= 30


async def test_keys_are_deleted_with_the_events_and_kept_when_they_are_refused(
        redis_async: aioredis.Redis) -> None:
    stream, key = _names()
    gone, kept = f"{key}:a", f"{key}:b"
    emitter = CallEventEmitter(redis_async, stream=stream, max_backlog=1)
    await redis_async.mset({gone: "checkpoint", kept: "snapshot"})

    await emitter.emit_then_save(["last"], [(key, "saved", 60)], [gone])

    assert await redis_async.get(gone) is None and await redis_async.get(kept) == "snapshot"
    assert await redis_async.get(key) == "saved"
    with pytest.raises(CallEventBacklogFull):
        await emitter.emit_then_save(["refused"], [], [kept])
    assert await redis_async.get(kept) == "snapshot"
    await emitter.emit_then_save([], [], [kept, key])  # nothing to send: deleted
    assert await redis_async.exists(kept, key) == 0
    assert await _held(redis_async, stream) == ["last"]


async def test_refused_events_leave_the_value_unset(redis_async: aioredis.Redis) -> None:
    stream, key = _names()
    emitter = CallEventEmitter(redis_async, stream=stream, max_backlog=2)
    await emitter.emit_payloads(["one", "two"])

    with pytest.raises(CallEventBacklogFull):
        await emitter.emit_then_save(["three"], [(key, "checkpoint", 60)])

    assert await redis_async.get(key) is None
    assert await _held(redis_async, stream) == ["one", "two"]
    await emitter.emit_then_save([], [(key, "checkpoint", 60)])  # nothing to send: saved
    assert await redis_async.get(key) == "checkpoint"
    assert await _held(redis_async, stream) == ["one", "two"]


async def test_a_backlog_longer_than_a_chunk_is_sent_whole_and_in_order(
        redis_async: aioredis.Redis) -> None:
    stream, key = _names()
    emitter = CallEventEmitter(redis_async, stream=stream)
    payloads = [f"event-{index}" for index in range(EMIT_CHUNK + 3)]

    await emitter.emit_then_save(payloads, [(key, "checkpoint", 60)])

    assert await _held(redis_async, stream) == payloads
    assert await redis_async.get(key) == "checkpoint"
