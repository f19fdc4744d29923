"""A call's events go through Redis and the drain into Parquet exactly once, crashes or not."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from analytics.compaction import compact_all
from analytics.drain import CallLogDrain
from analytics.emitter import CallEventEmitter
from analytics.events import (
    CallEnded,
    CallEventBase,
    CallStarted,
    TransferMade,
    TurnRecorded,
    parse_event,
)
from analytics.generator import CallLogGenerator, GeneratorConfig
from analytics.metrics import ALL_METRICS
from analytics.parquet_store import ParquetStore
from analytics.repository import CallLogRepository
from analytics.sources import ENGINES
from runtime.embedded_redis import EmbeddedRedis
from tests.drain_crash import (
    STOP_POINTS,
    drain_all,
    kill_at_stop_point,
    sigkill,
    start_stopping_drain,
    stored_rows,
    temp_files,
    wait_for_marker,
)

COMPANY = "65a1b2c3d4e5f60718293a4b"
T0 = datetime(2025, 3, 4, 14, 0, tzinfo=UTC)


@pytest.fixture
def stream() -> str:
    return f"test:call-events:{uuid.uuid4().hex[:8]}"


def one_call() -> list[CallEventBase]:
    base = {"company_id": COMPANY, "call_sid": "CA0001", "started_at": T0}
    turn = {"total_ms": 220.0, "match_ms": 8.0, "tts_first_byte_ms": 95.0}
    return [
        CallStarted(**base, caller_number="+12395550100", called_number="+12395550199",
                    returning_caller=True),
        TurnRecorded(**base, turn_index=0, at=T0, caller_text="", agent_text="Hello!",
                     tier="greeting", **turn),
        TurnRecorded(**base, turn_index=1, at=T0 + timedelta(seconds=6),
                     caller_text="My basement is flooding", agent_text="Connecting you now.",
                     tier="emergency", confidence=0.97, sentiment=-0.6, **turn),
        TransferMade(**base, turn_index=1, at=T0 + timedelta(seconds=7),
                     to_number="+12395550111", reason="emergency", priority="emergency"),
        CallEnded(**base, outcome="transferred", duration_s=41.5, final_sentiment=-0.6,
                  turn_count=2, ended_at=T0 + timedelta(seconds=41.5),
                  summary="+12395550100 called. Transferred to on-call staff as an emergency."),
    ]


def generated_events(companies: int = 2, days: int = 2) -> list[CallEventBase]:
    config = GeneratorConfig(seed=5, companies=companies, days=days, calls_per_day=8)
    return list(CallLogGenerator(config).events())


def raw_rows(store: ParquetStore, table: str) -> list[dict]:
    rows = []
    for company in store.companies(table):  # type: ignore[arg-type]
        for path in store.list_files(table, company):  # type: ignore[arg-type]
            rows.extend(store.read(path).to_pylist())
    return rows


def assert_exactly_once(root: Path, events: list[CallEventBase]) -> None:
    """Every query sees each turn and each ended call once, in both engines."""
    repo = CallLogRepository(str(root))
    expected_turns = {e.event_id for e in events if isinstance(e, TurnRecorded)}
    expected_calls = {e.event_id for e in events if isinstance(e, CallEnded)}
    companies = {e.company_id for e in events}
    for engine in ENGINES:
        turns = calls = 0
        for company in companies:
            report = repo.metric_rows(company, ALL_METRICS, "2025-01-01", "2025-12-31", engine)
            turns += report["latency"][0]["turns"]
            calls += report["containment"][0]["calls"]
        assert (turns, calls) == (len(expected_turns), len(expected_calls)), engine


@pytest.mark.parametrize("batch_size", [100, 2], ids=["one-batch", "start-and-end-apart"])
async def test_one_call_becomes_one_call_row_and_one_row_per_turn(
    redis_async: aioredis.Redis, stream: str, tmp_path: Path, batch_size: int
) -> None:
    await CallEventEmitter(redis_async, stream=stream).emit_many(one_call())
    drain = CallLogDrain(redis_async, str(tmp_path), stream=stream, batch_size=batch_size)
    assert await drain.drain_until_idle() == 5

    store = ParquetStore(str(tmp_path))
    [call] = raw_rows(store, "calls")
    assert {k: v for k, v in call.items() if k != "stream_pos"} == {
        "event_id": "CA0001:ended",
        "call_sid": "CA0001",
        "started_at": datetime(2025, 3, 4, 14, 0),
        "ended_at": datetime(2025, 3, 4, 14, 0, 41, 500000),
        "caller_number": "+12395550100",
        "called_number": "+12395550199",
        "returning_caller": True,
        "outcome": "transferred",
        "duration_s": 41.5,
        "final_sentiment": -0.6,
        "turn_count": 2,
        "transferred_to": "+12395550111",
        "transfer_reason": "emergency",
        "transfer_priority": "emergency",
        "message": None,
        "message_urgent": None,
        "booked_service": None,
        "booked_for": None,
        "summary": "+12395550100 called. Transferred to on-call staff as an emergency.",
    }
    turns = sorted(raw_rows(store, "turns"), key=lambda row: row["turn_index"])
    assert [(t["event_id"], t["tier"], t["confidence"]) for t in turns] == [
        ("CA0001:turn:0", "greeting", None),
        ("CA0001:turn:1", "emergency", 0.97),
    ]
    assert turns[1]["caller_text"] == "My basement is flooding"
    assert turns[1]["recorded_at"] == datetime(2025, 3, 4, 14, 0, 6)
    folder = Path(store.list_files("turns", COMPANY)[0]).parent
    assert folder.relative_to(tmp_path).as_posix() == f"turns/company_id={COMPANY}/date=2025-03-04"
    # the open-call facts were dropped once the call row was on disk
    assert await redis_async.keys(f"t:{COMPANY}:calllog:open:*") == []


def test_event_ids_name_what_happened_so_replays_collide() -> None:
    events = one_call()
    assert [e.event_id for e in events] == [
        "CA0001:started", "CA0001:turn:0", "CA0001:turn:1", "CA0001:transfer:1", "CA0001:ended",
    ]
    assert parse_event(events[2].to_json()) == events[2]


async def reference_rows(
    redis: aioredis.Redis, stream: str, root: Path, events: list[CallEventBase], batch_size: int
) -> dict[str, list[dict]]:
    """What a drain that never crashed makes of the same events (on its own stream)."""
    await CallEventEmitter(redis, stream=f"{stream}:reference").emit_many(events)
    drain = CallLogDrain(redis, str(root), stream=f"{stream}:reference", batch_size=batch_size)
    assert await drain_all(drain) == len(events)
    drain.close()
    rows = stored_rows(root)
    assert len(rows["calls"]) == sum(isinstance(e, CallEnded) for e in events)
    assert len(rows["turns"]) == sum(isinstance(e, TurnRecorded) for e in events)
    return rows


def files_on_disk(root: Path) -> list[str]:
    store = ParquetStore(str(root))
    return [path for table in ("calls", "turns") for company in store.companies(table)
            for path in store.list_files(table, company)]


@pytest.mark.parametrize("point", STOP_POINTS)
async def test_drain_sigkilled_mid_batch_then_restarted_matches_a_drain_that_never_crashed(
    redis_url: str, redis_async: aioredis.Redis, stream: str, tmp_path: Path, point: str
) -> None:
    events = generated_events()
    expected = await reference_rows(redis_async, stream, tmp_path / "reference", events, 7)
    root = tmp_path / "crashed"
    await CallEventEmitter(redis_async, stream=stream).emit_many(events)
    child = start_stopping_drain(redis_url, root, stream, point, tmp_path / "stopped",
                                 batch_size=7)
    kill_at_stop_point(child, tmp_path / "stopped")

    assert (await redis_async.xpending(stream, "logsink"))["pending"] == 7  # nothing acked
    if point == "before-ack":
        assert files_on_disk(root) and not temp_files(root)
    else:  # a torn temp file, and no data file at all
        assert temp_files(root) and not files_on_disk(root)

    restarted = CallLogDrain(redis_async, str(root), stream=stream, batch_size=7)
    assert await drain_all(restarted) == len(events)
    assert restarted.stats.recovered_batches == 1
    assert (await redis_async.xpending(stream, "logsink"))["pending"] == 0
    assert stored_rows(root) == expected
    # the replayed batch overwrote its own files: not even the raw files hold a duplicate
    turn_ids = [row["event_id"] for row in raw_rows(ParquetStore(str(root)), "turns")]
    assert len(turn_ids) == len(set(turn_ids))


async def test_batch_left_by_a_sigkilled_consumer_is_claimed_and_written_once(
    redis_url: str, redis_async: aioredis.Redis, stream: str, tmp_path: Path
) -> None:
    events = generated_events()
    expected = await reference_rows(redis_async, stream, tmp_path / "reference", events, 25)
    root = tmp_path / "crashed"
    await CallEventEmitter(redis_async, stream=stream).emit_many(events)
    dead = start_stopping_drain(redis_url, root, stream, "before-ack", tmp_path / "stopped",
                                consumer="sink-a", batch_size=30)
    kill_at_stop_point(dead, tmp_path / "stopped")

    survivor = CallLogDrain(redis_async, str(root), stream=stream, consumer="sink-b",
                            batch_size=25, claim_idle_ms=0)
    assert await drain_all(survivor) == len(events)
    # different batch boundaries wrote some rows twice on disk; queries still see one each
    turn_ids = [row["event_id"] for row in raw_rows(ParquetStore(str(root)), "turns")]
    assert len(turn_ids) > len(set(turn_ids))
    assert stored_rows(root) == expected


async def test_redis_sigkilled_with_a_batch_pending_loses_nothing(
    redis_async: aioredis.Redis, stream: str, tmp_path: Path
) -> None:
    """A private Redis (AOF on, fsync on every write) is killed while the drain holds a
    written but unacknowledged batch; after a restart the pending list is still there."""
    events = generated_events(companies=1)
    expected = await reference_rows(redis_async, stream, tmp_path / "reference", events, 9)
    root = tmp_path / "crashed"
    server = EmbeddedRedis(data_dir=tmp_path / "private-redis").start()
    try:
        client = aioredis.Redis.from_url(server.url, decode_responses=True)
        await client.config_set("appendfsync", "always")
        await CallEventEmitter(client, stream=stream).emit_many(events)
        await client.aclose()
        child = start_stopping_drain(server.url, root, stream, "before-ack",
                                     tmp_path / "stopped", batch_size=9)
        wait_for_marker(tmp_path / "stopped", child)
        assert server.process is not None
        sigkill(server.process.pid)
        server.process.wait()
        sigkill(child.pid)
        child.wait()

        server.start()  # same port and folder: the AOF replays stream, group and pending list
        client = aioredis.Redis.from_url(server.url, decode_responses=True)
        assert (await client.xpending(stream, "logsink"))["pending"] == 9
        drain = CallLogDrain(client, str(root), stream=stream, batch_size=9)
        assert await drain_all(drain) == len(events)
        assert drain.stats.recovered_batches == 1
        await client.aclose()
    finally:
        server.stop()
    assert stored_rows(root) == expected


async def test_malformed_payload_is_set_aside_without_blocking_the_stream(
    redis_async: aioredis.Redis, stream: str, tmp_path: Path
) -> None:
    await redis_async.xadd(stream, {"event": '{"type": "call_ended", "company_id": "../x"}'})
    await CallEventEmitter(redis_async, stream=stream).emit_many(one_call())
    drain = CallLogDrain(redis_async, str(tmp_path), stream=stream)
    assert await drain.drain_until_idle() == 6
    assert drain.stats.rejected == 1
    [(_, rejected)] = await redis_async.xrange(f"{stream}:rejected")
    assert "company_id" in rejected["error"]
    assert_exactly_once(tmp_path, one_call())


async def test_compaction_merges_small_files_and_a_crash_midway_counts_nothing_twice(
    redis_async: aioredis.Redis, stream: str, tmp_path: Path
) -> None:
    events = generated_events()
    await CallEventEmitter(redis_async, stream=stream).emit_many(events)
    await CallLogDrain(redis_async, str(tmp_path), stream=stream, batch_size=15).drain_until_idle()
    store = ParquetStore(str(tmp_path))
    before = {p: len(store.partition_files(p)) for c in store.companies("turns")
              for p in store.partitions("turns", c)}
    assert max(before.values()) > 1

    interrupted = ParquetStore(str(tmp_path))
    interrupted.remove = lambda paths: None  # type: ignore[method-assign]  # died before cleanup
    assert compact_all(interrupted)
    assert_exactly_once(tmp_path, events)  # merged file and its inputs side by side

    results = compact_all(store)
    assert all(len(store.partition_files(r.partition)) == 1 for r in results)
    assert_exactly_once(tmp_path, events)
    turn_ids = [row["event_id"] for row in raw_rows(store, "turns")]
    assert len(turn_ids) == len(set(turn_ids))
