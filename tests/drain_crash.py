"""Real crashes of the call-log drain at precise points, and the rows to judge them by.

A drain (in a subprocess, or inside the LogSink actor) is made to stop at a chosen point
of its first batch and signal it through a marker file; the test then SIGKILLs the
process, so no `finally`, no cleanup and no acknowledgement runs. The points:

- `before-ack`: the batch's Parquet files are on disk, its entries not yet XACKed;
- `mid-write`: half of a file's bytes are in the hidden temp file, nothing renamed.

Run as `python -m tests.drain_crash '<json>'` to drain in a child process.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

import analytics.parquet_store
from analytics.drain import CallLogDrain
from analytics.parquet_store import ParquetStore
from analytics.sources import ENGINES, SessionFactory, company_files

STOP_POINTS = ("before-ack", "mid-write")
WAIT_S = 60.0  # a ceiling on waiting for the stop point, not a timing assertion


def stop_before_ack(drain: CallLogDrain, marker: str) -> int:
    """From now on the drain writes its batch, signals, and waits forever before XACK."""

    async def frozen(ids: Any) -> None:
        Path(marker).write_text(json.dumps(list(ids)))
        await asyncio.Event().wait()

    drain._acknowledge = frozen  # type: ignore[method-assign]
    return os.getpid()


class _TornParquet:
    """`pyarrow.parquet` whose `write_table` puts half a file down, signals and hangs."""

    def __init__(self, marker: str) -> None:
        self._marker = marker

    def __getattr__(self, name: str) -> Any:
        return getattr(pq, name)

    def write_table(self, table: Any, where: Any, **kwargs: Any) -> None:
        buffer = io.BytesIO()
        pq.write_table(table, buffer, **kwargs)
        data = buffer.getvalue()
        where.write(data[: len(data) // 2])
        where.flush()
        os.fsync(where.fileno())
        Path(self._marker).write_text(str(where.name))
        threading.Event().wait()


def stop_mid_write(marker: str) -> int:
    """From now on every Parquet write in this process stops halfway through its temp file."""
    analytics.parquet_store.pq = _TornParquet(marker)  # type: ignore[assignment]
    return os.getpid()


def install_stop(drain: CallLogDrain, point: str, marker: str) -> int:
    """Arm `point` in this process; returns the pid to SIGKILL once the marker appears."""
    if point == "before-ack":
        return stop_before_ack(drain, marker)
    if point == "mid-write":
        return stop_mid_write(marker)
    raise ValueError(point)


def arm_log_sink(sink: Any, point: str, marker: str) -> int:
    """Run inside a LogSink actor (`__ray_call__`): arm `point` on its drain."""
    return install_stop(sink._drain, point, marker)


def actor_pid(_actor: Any) -> int:
    return os.getpid()


async def drain_all(drain: CallLogDrain) -> int:
    """`drain_until_idle` with a ceiling, so a drain that never settles fails, not hangs."""
    async with asyncio.timeout(WAIT_S):
        return await drain.drain_until_idle()


def wait_for_marker(marker: Path, process: subprocess.Popen[bytes] | None = None) -> None:
    """Poll until the stopped process has signalled (fail fast if it died instead)."""
    deadline = time.monotonic() + WAIT_S
    while not marker.exists():
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the drain exited ({process.returncode}) before stopping")
        assert time.monotonic() < deadline, "the drain never reached its stop point"
        time.sleep(0.02)


def sigkill(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)


def start_stopping_drain(
    redis_url: str, root: Path, stream: str, point: str, marker: Path, **options: Any
) -> subprocess.Popen[bytes]:
    """A child process that drains `stream` until it stops at `point` (then SIGKILL it)."""
    config = {"redis_url": redis_url, "root": str(root), "stream": stream, "point": point,
              "marker": str(marker), "options": options}
    return subprocess.Popen([sys.executable, "-m", "tests.drain_crash", json.dumps(config)],
                            stdout=subprocess.DEVNULL)


def kill_at_stop_point(process: subprocess.Popen[bytes], marker: Path) -> None:
    wait_for_marker(marker, process)
    sigkill(process.pid)
    assert process.wait() == -signal.SIGKILL


def temp_files(root: Path) -> list[Path]:
    return sorted(root.rglob(".*.tmp"))


def stored_rows(root: Path) -> dict[str, list[dict[str, Any]]]:
    """Every call and turn the query layer sees (one row per event), in both engines.

    `stream_pos` is left out: it is where the event sat in its stream, which differs
    between a crashed run and its reference.
    """
    store, sessions = ParquetStore(str(root)), SessionFactory()
    companies = sorted(set(store.companies("calls")) | set(store.companies("turns")))
    seen: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for engine in ENGINES:
        tables: dict[str, list[dict[str, Any]]] = {"calls": [], "turns": []}
        for company in companies:
            with sessions.open(engine, company_files(store, company, None, None)) as session:
                for table, rows in tables.items():
                    rows.extend(session.rows(f"SELECT * FROM {table} ORDER BY event_id"))
        seen[engine] = {t: [_without_position(r) for r in rows] for t, rows in tables.items()}
    assert seen["duckdb"] == seen["polars"], "the engines disagree"
    return seen["duckdb"]


def _without_position(row: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in row.items() if name != "stream_pos"}


async def _drain_in_child(config: dict[str, Any]) -> None:
    from runtime.redis_client import redis_client

    redis = redis_client(config["redis_url"])
    drain = CallLogDrain(redis, config["root"], stream=config["stream"], **config["options"])
    install_stop(drain, config["point"], config["marker"])
    await drain.drain_until_idle()
    raise SystemExit("drained everything without reaching the stop point")


if __name__ == "__main__":
    asyncio.run(_drain_in_child(json.loads(sys.argv[1])))
