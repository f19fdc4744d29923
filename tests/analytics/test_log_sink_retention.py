"""The LogSink actor trims what it wrote from the stream and reports a backlog it lags on."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from analytics.emitter import CallEventEmitter
from analytics.generator import CallLogGenerator, GeneratorConfig
from runtime.actors.log_sink import LogSinkConfig, launch_log_sink


@pytest.mark.ray
async def test_log_sink_trims_what_it_wrote_and_alarms_while_behind(
    ray_session: None, redis_url: str, redis_async: aioredis.Redis, tmp_path: Path
) -> None:
    import ray

    stream = f"test:sink-trim:{uuid.uuid4().hex[:8]}"
    events = list(CallLogGenerator(GeneratorConfig(seed=5, companies=2, days=2,
                                                   calls_per_day=8)).events())
    await CallEventEmitter(redis_async, stream=stream).emit_many(events)
    config = LogSinkConfig(redis_url=redis_url, root=str(tmp_path), stream=stream,
                           batch_size=len(events) // 3, autostart=False,
                           lag_alarm_entries=len(events) // 2)
    sink = launch_log_sink(config, name=f"logsink-{stream}")
    try:
        behind = await sink.stats.remote()
        assert (behind["backlog"], behind["lagging"]) == (len(events), True)

        while await sink.drain_once.remote():
            pass
        caught_up = await sink.stats.remote()
        assert caught_up["entries"] == caught_up["trimmed"] == len(events)
        assert (caught_up["backlog"], caught_up["lagging"]) == (0, False)
        assert await redis_async.xlen(stream) == 0
    finally:
        ray.kill(sink, no_restart=True)
