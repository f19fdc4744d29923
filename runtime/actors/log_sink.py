"""LogSink: the Ray actor that drains the call-event stream into Parquet.

One named actor per cluster (`num_cpus=0`: it waits on Redis and disk, not on a CPU).
Ray restarts it when it dies (`max_restarts=-1`); `__init__` then starts the drain loop
again, and the drain resumes from the Redis consumer group: the batch it was writing
when it died is still in its pending list and is rewritten under the same file names
before anything new is read. Nothing is kept in the actor that Redis and the Parquet
root do not already hold.

After each batch the sink trims what every reader has acknowledged from the stream
(`analytics.stream_retention`), so the stream holds only its backlog; it publishes that
backlog as Ray metrics and logs `call_event_sink_lagging` while it is over the alarm
thresholds (also shown by `GET /health`).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass
from typing import Any

import ray
import structlog
from ray.util.metrics import Gauge

from analytics.drain import CallLogDrain
from analytics.emitter import CALL_EVENTS_STREAM
from analytics.stream_retention import (
    DEFAULT_LAG_ALARM_ENTRIES,
    DEFAULT_LAG_ALARM_S,
    StreamBacklog,
    StreamRetention,
)
from runtime.actors.pool import CALL_NAMESPACE
from runtime.actors.ray_options import ACTOR_OPTIONS
from runtime.redis_client import redis_client
from runtime.settings import Settings

log = structlog.get_logger(__name__)
LOG_SINK_NAME = "clientsvia-logsink"
STOP_WAIT_S = 10.0  # longest `stop` waits for the loop to end


@dataclass(frozen=True)
class LogSinkConfig:
    redis_url: str
    root: str  # local folder or object-store URI of the Parquet tables
    stream: str = CALL_EVENTS_STREAM
    group: str = "logsink"
    consumer: str = "logsink-1"  # stable: a restarted sink finds its unfinished batch by it
    batch_size: int = 1000
    block_ms: int = 1000  # how long an idle loop waits on XREADGROUP per turn
    # After a batch smaller than batch_size, wait this long for more events: under load one
    # file per few seconds of events instead of one per handful (each Parquet write has a
    # fixed cost; the bench measured the sink at ~7 ms of CPU per turn without a linger and
    # ~2 ms with 1 s). Call logs then reach Parquet a few seconds after the events.
    linger_s: float = 3.0
    claim_idle_ms: int = 60_000  # take over entries another consumer left pending this long
    error_backoff_s: float = 1.0
    # The backlog (entries not yet written) that counts as lagging, and how often it is
    # measured for the metrics and the alarm.
    lag_alarm_entries: int = DEFAULT_LAG_ALARM_ENTRIES
    lag_alarm_s: float = DEFAULT_LAG_ALARM_S
    backlog_check_s: float = 5.0
    autostart: bool = True


@ray.remote(**ACTOR_OPTIONS, max_restarts=-1)
class LogSink:
    def __init__(self, config: LogSinkConfig) -> None:
        self._config = config
        self._stopping = False
        self._redis = redis_client(config.redis_url)
        self._drain = CallLogDrain(
            self._redis,
            config.root,
            stream=config.stream,
            group=config.group,
            consumer=config.consumer,
            batch_size=config.batch_size,
            block_ms=config.block_ms,
            claim_idle_ms=config.claim_idle_ms,
        )
        self._retention = StreamRetention(
            self._redis,
            config.stream,
            lag_alarm_entries=config.lag_alarm_entries,
            lag_alarm_s=config.lag_alarm_s,
        )
        self._batch_lock = asyncio.Lock()  # one batch at a time: the loop or drain_once
        self._loop_task: asyncio.Task[None] | None = None
        self._errors = 0
        self._trimmed = 0
        self._backlog: StreamBacklog | None = None
        self._backlog_checked = 0.0
        tags = {"stream": config.stream}
        self._backlog_gauge = Gauge(
            "clientsvia_call_event_backlog", "Call events not yet written to Parquet",
            tag_keys=("stream",),
        ).set_default_tags(tags)
        self._age_gauge = Gauge(
            "clientsvia_call_event_backlog_age_seconds", "Age of the oldest unwritten event",
            tag_keys=("stream",),
        ).set_default_tags(tags)
        if config.autostart:
            # Async actors run __init__ inside their event loop, so a restart resumes here.
            with contextlib.suppress(RuntimeError):
                self._spawn_loop(asyncio.get_running_loop())

    async def start(self) -> bool:
        """Start the drain loop; returns False when it was already running."""
        if self._running():
            return False
        self._spawn_loop(asyncio.get_running_loop())
        return True

    async def drain_once(self) -> int:
        """Drain one batch now without waiting for new entries (tests, shutdown)."""
        async with self._batch_lock:
            drained = await self._drain.drain_once(block_ms=None)
            if drained:
                await self._trim()
            return drained

    async def stop(self) -> None:
        """Stop the loop; a batch cut short is unacknowledged and will be replayed. Bounded:
        a cancellation swallowed inside a blocking read (seen once in a drill) only ends the
        loop at its next batch, so stop waits at most `STOP_WAIT_S` for it."""
        task, self._loop_task = self._loop_task, None
        if task is None:
            return
        self._stopping = True  # the loop also checks this between batches
        task.cancel()
        done, _ = await asyncio.wait({task}, timeout=STOP_WAIT_S)
        if not done:
            log.warning("log_sink_stop_timed_out", stream=self._config.stream)

    async def stats(self) -> dict[str, Any]:
        """Drain counters, entries trimmed, and the backlog measured now."""
        await self._check_backlog(force=True)
        assert self._backlog is not None
        return {
            "running": self._running(),
            "errors": self._errors,
            "trimmed": self._trimmed,
            **self._drain.stats.as_dict(),
            **self._backlog.as_dict(),
        }

    async def _trim(self) -> None:
        self._trimmed += await self._retention.trim()

    async def _check_backlog(self, force: bool = False) -> None:
        """Measure the backlog (at most every `backlog_check_s`), publish it, alarm on lag.

        The periodic check trims first: what an earlier run acknowledged goes even when no
        new batch comes."""
        now = time.monotonic()
        if not force:
            if now - self._backlog_checked < self._config.backlog_check_s:
                return
            await self._trim()
        self._backlog_checked = now
        backlog = self._backlog = await self._retention.backlog()
        self._backlog_gauge.set(backlog.entries)
        self._age_gauge.set(backlog.oldest_age_s or 0.0)
        if backlog.lagging:
            log.warning("call_event_sink_lagging", stream=self._config.stream,
                        **backlog.as_dict())

    def _running(self) -> bool:
        return self._loop_task is not None and not self._loop_task.done()

    def _spawn_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop_task = loop.create_task(self._run())

    async def _run(self) -> None:
        while not self._stopping:
            try:
                async with self._batch_lock:
                    drained = await self._drain.drain_once()
                    if drained:
                        await self._trim()
                await self._check_backlog()
                if 0 < drained < self._config.batch_size:
                    await asyncio.sleep(self._config.linger_s)
            except asyncio.CancelledError:
                raise
            except Exception:
                self._errors += 1
                log.exception("log_sink_batch_failed", stream=self._config.stream)
                await asyncio.sleep(self._config.error_backoff_s)


def launch_log_sink(
    config: LogSinkConfig,
    *,
    name: str = LOG_SINK_NAME,
    namespace: str | None = None,
    detached: bool = False,
) -> Any:
    """The named LogSink, created on first call and found by name afterwards."""
    options: dict[str, Any] = {"name": name, "get_if_exists": True}
    if namespace is not None:
        options["namespace"] = namespace
    if detached:
        options["lifetime"] = "detached"
    return LogSink.options(**options).remote(config)  # type: ignore[attr-defined]


def ensure_log_sink(settings: Settings) -> Any:
    """The deployment's LogSink (detached: it outlives the replica or CLI that started it)."""
    config = LogSinkConfig(
        redis_url=settings.redis_url,
        root=settings.parquet_root,
        lag_alarm_entries=settings.call_events_lag_alarm_entries,
        lag_alarm_s=settings.call_events_lag_alarm_s,
    )
    return launch_log_sink(config, namespace=CALL_NAMESPACE, detached=True)
