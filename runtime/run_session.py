"""One `clientsvia run` from start to stop: signals, the run record, Redis, cleanup.

Ctrl-C, SIGTERM and SIGHUP (a closed terminal) stop the run at any point of start-up, not
only once it is up: each raises `StopRequested` in the main thread, and leaving the
`LocalRun` block stops Serve, Ray and the embedded Redis and forgets the run record. What a
SIGKILL leaves behind, the next run stops (`runtime.local_run`).
"""

from __future__ import annotations

import contextlib
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from types import FrameType, TracebackType

from runtime.devenv import VAR_DIR, dev_redis, dev_redis_port
from runtime.embedded_redis import EmbeddedRedis, redis_url_from_env
from runtime.local_run import (
    RunRecord,
    clear_previous_run,
    remove_record,
    require_free_ports,
    stop_processes,
)
from runtime.settings import Settings

RUN_RECORD = VAR_DIR / "run.json"
STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)
REFRESH_S = 5.0  # late processes carrying the Ray node id are also found when clearing


class StopRequested(KeyboardInterrupt):
    """SIGTERM or SIGHUP: handled like Ctrl-C."""


def _request_stop(signum: int, _: FrameType | None) -> None:
    raise StopRequested(signal.Signals(signum).name)


def _handle_stop_signals() -> None:
    for signum in STOP_SIGNALS:
        signal.signal(signum, _request_stop)


def needed_ports(settings: Settings, embedded_redis: bool) -> dict[str, int]:
    """The TCP ports this run will listen on, by what they are for."""
    ports = {"http": settings.http_port}
    if embedded_redis:
        ports["redis"] = dev_redis_port()
    if settings.serve_ingress == "haproxy":
        ports["haproxy stats"] = settings.haproxy_stats_port
        ports["haproxy metrics"] = settings.haproxy_metrics_port
    return ports


def _ray_node_id() -> str | None:
    """This process's Ray node id once Ray runs here (Serve names HAProxy's folder by it)."""
    import ray

    return ray.get_runtime_context().get_node_id() if ray.is_initialized() else None


class LocalRun:
    """`with LocalRun(settings) as run:` start the node inside; leaving stops everything."""

    def __init__(self, settings: Settings, record_path: Path = RUN_RECORD) -> None:
        self._settings = settings
        self._record_path = record_path
        self._record: RunRecord | None = None
        self._redis: EmbeddedRedis | None = None
        self._refreshed = 0.0

    def __enter__(self) -> LocalRun:
        _handle_stop_signals()
        try:
            stopped = clear_previous_run(self._record_path)
            if stopped:
                print(f"Stopped what a previous run left: {', '.join(stopped)}", flush=True)
            ports = needed_ports(self._settings, embedded_redis=redis_url_from_env() is None)
            require_free_ports(ports)
            self._record = RunRecord.for_this_process(ports)
            self._record.save(self._record_path)
            self._redis = dev_redis()  # kept before it starts: a signal mid-start stops it
            if self._redis is not None:
                self._redis.start()
            self.record_progress()
        except BaseException:
            self._stop()
            raise
        return self

    @contextlib.contextmanager
    def holding_stop_signals(self) -> Iterator[None]:
        """Run a step that takes over SIGTERM (`ray.init`: Ray's handler aborts the process,
        leaving everything running) with SIGTERM and SIGHUP held back; once it is done
        this run handles them again, and one that came meanwhile stops the run."""
        signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        try:
            yield
        finally:
            _handle_stop_signals()
            signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)

    def record_progress(self) -> None:
        """Add the processes started so far to the run record (call after each step)."""
        if self._record is not None:
            node_id = _ray_node_id()
            if node_id and node_id not in self._record.markers:
                self._record.markers.append(node_id)
            self._record.refresh()
            self._record.save(self._record_path)
            self._refreshed = time.monotonic()

    def wait_for_stop(self) -> None:
        """Block until Ctrl-C, SIGTERM or SIGHUP, keeping the record of processes current."""
        while True:
            time.sleep(0.5)
            if time.monotonic() - self._refreshed > REFRESH_S:
                self.record_progress()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool:
        self._stop()
        return exc_type is not None and issubclass(exc_type, KeyboardInterrupt)

    def _stop(self) -> None:
        """Stop everything this run started; a second signal cannot cut the cleanup short.

        Serve and Ray are asked to stop first; whatever they (or a start-up cut short by a
        signal) leave running below this process is then terminated from the record."""
        for signum in (*STOP_SIGNALS, signal.SIGINT):
            signal.signal(signum, signal.SIG_IGN)
        if self._record is None:
            return  # nothing was started
        print("\nStopping ClientsVia...", flush=True)
        self._record.refresh()
        from runtime.node import stop_node

        with contextlib.suppress(Exception):
            stop_node()
        if self._redis is not None:
            self._redis.stop()
        stop_processes(self._record.started)
        remove_record(self._record_path, self._record)
