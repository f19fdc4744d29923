"""A call's events go through Redis and the drain into Parquet exactly once, crashes or not."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
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

COMPANY = "65a1b2c3d4e5f60718293a4b"
T0 = datetime(2025, 3, 4, 14, 0, tzinfo=UTC)


class CrashingDrain(CallLogDrain):
    """A drain that dies at a chosen step of its first batch, as a killed process would."""

    def __init__(self, *args: object, crash_at: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.crash_at = crash_at
        if crash_at == "write":
            self.store.write = self._refuse_write  # type: ignore[method-assign]

    def _refuse_write(self, *args: object) -> str:
        raise OSError("disk went away before the file was written")

    async def _acknowledge(self, ids: Sequence[str]) -> None:
        raise ConnectionError("killed after the files were written, before XACK")


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
                  turn_count=2, ended_at=T0 + timedelta(seconds=41.5)),
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


@pytest.mark.parametrize("crash_at", ["write", "ack"])
async def test_drain_killed_mid_batch_then_restarted_counts_every_event_once(
    redis_async: aioredis.Redis, stream: str, tmp_path: Path, crash_at: str
) -> None:
    events = generated_events()
    await CallEventEmitter(redis_async, stream=stream).emit_many(events)
    crashing = CrashingDrain(redis_async, str(tmp_path), stream=stream, batch_size=40,
                             crash_at=crash_at)
    with pytest.raises((OSError, ConnectionError)):
        await crashing.drain_once(block_ms=None)
    pending = await redis_async.xpending(stream, "logsink")
    assert pending["pending"] == 40  # nothing was acknowledged

    restarted = CallLogDrain(redis_async, str(tmp_path), stream=stream, batch_size=40)
    assert await restarted.drain_until_idle() == len(events)
    assert restarted.stats.recovered_batches == 1
    assert (await redis_async.xpending(stream, "logsink"))["pending"] == 0
    assert_exactly_once(tmp_path, events)
    # the replayed batch overwrote its own files: not even the raw files hold a duplicate
    turn_ids = [row["event_id"] for row in raw_rows(ParquetStore(str(tmp_path)), "turns")]
    assert len(turn_ids) == len(set(turn_ids))


async def test_batch_left_by_a_dead_consumer_is_claimed_and_written_once(
    redis_async: aioredis.Redis, stream: str, tmp_path: Path
) -> None:
    events = generated_events()
    await CallEventEmitter(redis_async, stream=stream).emit_many(events)
    dead = CrashingDrain(redis_async, str(tmp_path), stream=stream, consumer="sink-a",
                         batch_size=30, crash_at="ack")
    with pytest.raises(ConnectionError):
        await dead.drain_once(block_ms=None)

    survivor = CallLogDrain(redis_async, str(tmp_path), stream=stream, consumer="sink-b",
                            batch_size=25, claim_idle_ms=0)
    assert await survivor.drain_until_idle() == len(events)
    # different batch boundaries wrote some rows twice on disk; queries still count once
    turn_ids = [row["event_id"] for row in raw_rows(ParquetStore(str(tmp_path)), "turns")]
    assert len(turn_ids) > len(set(turn_ids))
    assert_exactly_once(tmp_path, events)


async def test_events_survive_a_redis_restart_between_emit_and_drain(
    redis_server: EmbeddedRedis, stream: str, tmp_path: Path
) -> None:
    events = generated_events(companies=1)
    client = aioredis.Redis.from_url(redis_server.url, decode_responses=True)
    await CallEventEmitter(client, stream=stream).emit_many(events)
    await client.aclose()

    redis_server.restart()  # AOF replays the stream

    client = aioredis.Redis.from_url(redis_server.url, decode_responses=True)
    try:
        drain = CallLogDrain(client, str(tmp_path), stream=stream)
        assert await drain.drain_until_idle() == len(events)
    finally:
        await client.aclose()
    assert_exactly_once(tmp_path, events)


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
