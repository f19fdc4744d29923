"""The call-event stream stays bounded: written events are trimmed, unwritten ones never.

A sink that falls behind makes emitters wait (they are refused and keep their events),
never makes Redis drop an event; what reaches Parquet is exactly what was emitted.
"""

from __future__ import annotations

import time
import uuid
from collections import deque
from pathlib import Path

import duckdb
import pytest
import redis.asyncio as aioredis

from analytics.drain import CallLogDrain
from analytics.emitter import EMIT_CHUNK, CallEventBacklogFull, CallEventEmitter
from analytics.events import CallEnded, CallEventBase, TurnRecorded
from analytics.generator import CallLogGenerator, GeneratorConfig
from analytics.stream_retention import StreamRetention

GROUP = "logsink"


def _stream() -> str:
    return f"test:retention:{uuid.uuid4().hex[:8]}"


def _events(calls_per_day: float = 6, days: int = 1) -> list[CallEventBase]:
    config = GeneratorConfig(seed=13, companies=2, days=days, calls_per_day=calls_per_day)
    return list(CallLogGenerator(config).events())


def _written_event_ids(root: Path, table: str) -> list[str]:
    files = sorted(str(p) for p in (root / table).rglob("*.parquet"))
    if not files:
        return []
    rows = duckdb.sql(f"SELECT event_id FROM read_parquet({files!r})").fetchall()
    return [row[0] for row in rows]


async def test_xlen_stays_bounded_over_10000_calls_and_parquet_holds_every_event(
    redis_async: aioredis.Redis, tmp_path: Path
) -> None:
    stream, ceiling, batch = _stream(), 5 * EMIT_CHUNK, 1000
    # Five weekdays x 4 companies x 500 calls: 10,000 calls.
    config = GeneratorConfig(seed=21, companies=4, days=5, calls_per_day=500)
    events = list(CallLogGenerator(config).events())
    calls = [e for e in events if isinstance(e, CallEnded)]
    assert len(calls) >= 9_500

    emitter = CallEventEmitter(redis_async, stream=stream, max_backlog=ceiling)
    drain = CallLogDrain(redis_async, str(tmp_path), stream=stream, group=GROUP,
                         batch_size=batch, claim_idle_ms=None)
    retention = StreamRetention(redis_async, stream)
    held = deque(events[i : i + EMIT_CHUNK] for i in range(0, len(events), EMIT_CHUNK))
    longest = refusals = 0
    steps_left = 4 * len(held)  # a sink that never frees room would stall the callers
    try:
        # Callers emit two chunks for every batch the sink writes: the sink falls behind.
        while held or await redis_async.xlen(stream):
            steps_left -= 1
            assert steps_left > 0, "the stream never made room for the held events"
            for _ in range(2):
                if not held:
                    break
                try:
                    await emitter.emit_many(held[0])
                    held.popleft()
                except CallEventBacklogFull:
                    refusals += 1  # the caller keeps its events and tries again later
                longest = max(longest, await redis_async.xlen(stream))
            await drain.drain_once(block_ms=None)
            await retention.trim()
    finally:
        drain.close()

    assert refusals > 0  # the ceiling was reached, so the bound below was tested
    assert longest <= ceiling
    assert await redis_async.xlen(stream) == 0
    turns = _written_event_ids(tmp_path, "turns")
    assert sorted(turns) == sorted(e.event_id for e in events if isinstance(e, TurnRecorded))
    assert sorted(_written_event_ids(tmp_path, "calls")) == sorted(e.event_id for e in calls)


async def test_trim_keeps_what_is_pending_or_undelivered_in_any_group(
    redis_async: aioredis.Redis,
) -> None:
    stream = _stream()
    events = _events()[:10]
    assert len(events) == 10
    await CallEventEmitter(redis_async, stream=stream).emit_many(events)
    ids = [entry_id for entry_id, _ in await redis_async.xrange(stream)]
    retention = StreamRetention(redis_async, stream)
    assert await retention.trim() == 0  # nobody reads it yet: everything is undelivered

    await redis_async.xgroup_create(stream, GROUP, id="0")
    await redis_async.xreadgroup(GROUP, "sink", {stream: ">"}, count=6)  # 6 delivered
    await redis_async.xack(stream, GROUP, ids[0], ids[1], ids[3])  # out of order, like a crash
    assert await retention.trim() == 2  # ids[2] is still pending: it and all after stay
    assert [i for i, _ in await redis_async.xrange(stream)] == ids[2:]

    await redis_async.xack(stream, GROUP, ids[2], ids[4], ids[5])
    await redis_async.xgroup_create(stream, "late-reader", id=ids[3])  # has not read ids[4:]
    assert await retention.trim() == 2
    assert [i for i, _ in await redis_async.xrange(stream)] == ids[4:]

    await redis_async.xgroup_destroy(stream, "late-reader")
    assert await retention.trim() == 2  # ids[6:] were never delivered to the sink
    assert [i for i, _ in await redis_async.xrange(stream)] == ids[6:]


async def test_emitter_refuses_at_the_ceiling_and_drops_nothing(
    redis_async: aioredis.Redis,
) -> None:
    stream = _stream()
    events = _events()
    emitter = CallEventEmitter(redis_async, stream=stream, max_backlog=4)
    await emitter.emit_many(events[:3])
    with pytest.raises(CallEventBacklogFull):
        await emitter.emit_many(events[3:5])  # would make 5: refused as a whole
    await emitter.emit(events[3])
    with pytest.raises(CallEventBacklogFull):
        await emitter.emit(events[4])
    held = await redis_async.xrange(stream)
    assert [fields["event"] for _, fields in held] == [e.to_json() for e in events[:4]]


async def test_backlog_reports_a_lagging_sink_by_size_and_by_age(
    redis_async: aioredis.Redis, tmp_path: Path
) -> None:
    stream = _stream()
    await CallEventEmitter(redis_async, stream=stream).emit_many(_events()[:10])
    by_size = StreamRetention(redis_async, stream, lag_alarm_entries=9)
    backlog = await by_size.backlog()
    assert (backlog.entries, backlog.pending, backlog.lagging) == (10, 0, True)
    an_hour_later = StreamRetention(redis_async, stream, lag_alarm_s=1800,
                                    clock=lambda: time.time() + 3600)
    assert (await an_hour_later.backlog()).lagging
    assert not (await StreamRetention(redis_async, stream).backlog()).lagging

    drain = CallLogDrain(redis_async, str(tmp_path), stream=stream, group=GROUP,
                         claim_idle_ms=None)
    try:
        await drain.drain_until_idle()
    finally:
        drain.close()
    await by_size.trim()
    drained = await an_hour_later.backlog()
    assert (drained.entries, drained.oldest_age_s, drained.lagging) == (0, None, False)
