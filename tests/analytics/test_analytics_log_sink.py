"""The LogSink actor, SIGKILLed at a precise point of a batch, is restarted by Ray and
leaves on disk exactly what a drain that never crashed leaves."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from analytics.drain import CallLogDrain
from analytics.emitter import PAYLOAD_FIELD, CallEventEmitter
from analytics.events import CallEnded
from analytics.generator import CallLogGenerator, GeneratorConfig
from analytics.parquet_store import ParquetStore
from runtime.actors.log_sink import LogSinkConfig, launch_log_sink
from tests.drain_crash import (
    STOP_POINTS,
    WAIT_S,
    actor_pid,
    arm_log_sink,
    drain_all,
    sigkill,
    stored_rows,
    temp_files,
    wait_for_marker,
)

BATCH = 10


async def wait_for(condition: Callable[[], Awaitable[bool]], what: str) -> None:
    deadline = asyncio.get_running_loop().time() + WAIT_S
    while not await condition():
        assert asyncio.get_running_loop().time() < deadline, f"gave up waiting for {what}"
        await asyncio.sleep(0.05)


async def emit_at_once(redis: aioredis.Redis, stream: str, events: list) -> None:
    """All events in one MULTI, so the sink blocked on XREADGROUP wakes to a full batch."""
    transaction = redis.pipeline(transaction=True)
    for event in events:
        transaction.xadd(stream, {PAYLOAD_FIELD: event.to_json()})
    await transaction.execute()


def data_files(root: Path) -> list[str]:
    store = ParquetStore(str(root))
    return [path for table in ("calls", "turns") for company in store.companies(table)
            for path in store.list_files(table, company)]


@pytest.mark.ray
@pytest.mark.parametrize("point", STOP_POINTS)
async def test_log_sink_sigkilled_mid_batch_restarts_and_matches_a_drain_that_never_crashed(
    ray_session: None, redis_url: str, redis_async: aioredis.Redis, tmp_path: Path, point: str
) -> None:
    import ray

    stream = f"test:sink:{uuid.uuid4().hex[:8]}"
    events = list(CallLogGenerator(GeneratorConfig(seed=9, companies=2, days=4,
                                                   calls_per_day=10)).events())
    await CallEventEmitter(redis_async, stream=f"{stream}:reference").emit_many(events)
    reference = CallLogDrain(redis_async, str(tmp_path / "reference"),
                             stream=f"{stream}:reference", batch_size=BATCH)
    await drain_all(reference)
    reference.close()
    expected = stored_rows(tmp_path / "reference")
    assert len(expected["calls"]) == sum(isinstance(e, CallEnded) for e in events)

    root, marker = tmp_path / "sink", tmp_path / "stopped"
    config = LogSinkConfig(redis_url=redis_url, root=str(root), stream=stream,
                           batch_size=BATCH, block_ms=100, linger_s=0.0)
    sink = launch_log_sink(config, name=f"logsink-{stream}")
    pid = await sink.__ray_call__.remote(arm_log_sink, point, str(marker))
    await emit_at_once(redis_async, stream, events)
    wait_for_marker(marker)

    assert (await redis_async.xpending(stream, config.group))["pending"] == BATCH
    if point == "before-ack":
        assert data_files(root) and not temp_files(root)
    else:
        assert temp_files(root) and not data_files(root)
    sigkill(pid)  # Ray sees its worker die and restarts the actor; __init__ resumes

    async def all_acknowledged() -> bool:
        try:
            stats = await sink.stats.remote()
        except ray.exceptions.RayActorError:
            return False  # still restarting
        pending = await redis_async.xpending(stream, config.group)
        held = await redis_async.xlen(stream)  # the sink trims what it has written
        return stats["running"] and pending["pending"] == 0 and held == 0

    await wait_for(all_acknowledged, "the restarted sink to finish the stream")
    stats = await sink.stats.remote()
    # a fresh actor (new pid) started with the killed one's unacknowledged batch
    assert await sink.__ray_call__.remote(actor_pid) != pid
    assert (stats["recovered_batches"], stats["entries"]) == (1, len(events))
    ray.kill(sink, no_restart=True)  # everything is acknowledged: nothing left to lose
    assert stored_rows(root) == expected
