"""The LogSink actor, killed while draining, comes back and leaves every event counted once."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from analytics.emitter import CallEventEmitter
from analytics.events import CallEnded, TurnRecorded
from analytics.generator import CallLogGenerator, GeneratorConfig
from analytics.metrics import CONTAINMENT, LATENCY
from analytics.repository import CallLogRepository
from analytics.sources import ENGINES
from runtime.actors.log_sink import LogSinkConfig, launch_log_sink

WAIT_S = 60.0  # generous ceilings on waiting for a condition, not timing assertions


async def wait_for(condition: Callable[[], Awaitable[bool]], what: str) -> None:
    deadline = asyncio.get_running_loop().time() + WAIT_S
    while not await condition():
        assert asyncio.get_running_loop().time() < deadline, f"gave up waiting for {what}"
        await asyncio.sleep(0.05)


@pytest.mark.ray
async def test_log_sink_killed_mid_run_restarts_and_counts_every_event_once(
    ray_session: None, redis_url: str, redis_async: aioredis.Redis, tmp_path: Path
) -> None:
    import ray

    stream = f"test:sink:{uuid.uuid4().hex[:8]}"
    generator = CallLogGenerator(GeneratorConfig(seed=9, companies=2, days=4, calls_per_day=10))
    events = list(generator.events())
    await CallEventEmitter(redis_async, stream=stream).emit_many(events)

    config = LogSinkConfig(redis_url=redis_url, root=str(tmp_path), stream=stream,
                           batch_size=10, block_ms=100)
    sink = launch_log_sink(config, name=f"logsink-{stream}")

    async def some_drained() -> bool:
        return (await sink.stats.remote())["entries"] > 0

    await wait_for(some_drained, "the sink to drain a first batch")
    ray.kill(sink, no_restart=False)  # dies mid-run; Ray restarts it and __init__ resumes

    async def all_acknowledged() -> bool:
        try:
            stats = await sink.stats.remote()
        except ray.exceptions.RayActorError:
            return False  # still restarting
        pending = await redis_async.xpending(stream, config.group)
        held = await redis_async.xlen(stream)  # the sink trims what it has written
        return stats["running"] and pending["pending"] == 0 and held == 0

    await wait_for(all_acknowledged, "the restarted sink to finish the stream")
    assert (await sink.stats.remote())["entries"] < len(events)  # a fresh actor did the rest
    await sink.stop.remote()
    ray.kill(sink, no_restart=True)

    repo = CallLogRepository(str(tmp_path))
    companies = {c.company_id for c in generator.companies}
    for engine in ENGINES:
        rows = [repo.metric_rows(c, (CONTAINMENT, LATENCY), "2025-03-01", "2025-03-31", engine)
                for c in companies]
        assert sum(r["containment"][0]["calls"] for r in rows) == sum(
            isinstance(e, CallEnded) for e in events
        )
        assert sum(r["latency"][0]["turns"] for r in rows) == sum(
            isinstance(e, TurnRecorded) for e in events
        )
