"""`clientsvia run` after a `kill -9` of the previous one, a SIGHUP during start-up, a busy port.

Each run is the CLI in its own process, as an operator starts it, with its embedded Redis
and every port chosen free (HTTP, Redis, HAProxy stats and metrics) in its own folder.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest

from runtime.embedded_redis import free_port
from runtime.local_run import RunRecord

REPO = Path(__file__).resolve().parent.parent
START_TIMEOUT_S = 180.0
STOP_TIMEOUT_S = 120.0  # a ceiling for a loaded 2-core machine, not a timing assertion


class Run:
    """One `clientsvia run` subprocess in `folder`, its output in a log file."""

    def __init__(self, folder: Path, env: dict[str, str], port: int, name: str) -> None:
        self.folder, self.port = folder, port
        self.log = folder / f"{name}.log"
        with self.log.open("w") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "runtime.cli", "run", "--port", str(port)],
                cwd=folder, env=env, stdout=out, stderr=subprocess.STDOUT,
            )

    def output(self) -> str:
        return self.log.read_text()

    def wait_until_up(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            assert self.process.poll() is None, self.output()[-3000:]
            try:
                ok = httpx.get(f"http://127.0.0.1:{self.port}/health", timeout=2).status_code
                if ok == 200 and "Demo company" in self.output():
                    return
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "clientsvia run did not come up"
            time.sleep(0.5)

    def record(self) -> RunRecord | None:
        return RunRecord.load(self.folder / "var" / "run.json")

    def descendants(self) -> list[psutil.Process]:
        return psutil.Process(self.process.pid).children(recursive=True)

    def stop(self, signum: int = signal.SIGTERM) -> int:
        self.process.send_signal(signum)
        return self.process.wait(STOP_TIMEOUT_S)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def _env(ports: dict[str, int]) -> dict[str, str]:
    env = os.environ | {
        "DEV_REDIS_PORT": str(ports["redis"]),
        "HAPROXY_STATS_PORT": str(ports["stats"]),
        "HAPROXY_METRICS_PORT": str(ports["metrics"]),
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{ports['http']}",
        "PROVIDER_MODE": "doubles",
        "WARM_POOL_SIZE": "1",
        "PYTHONPATH": str(REPO),
    }
    env.pop("REDIS_URL", None)  # the run starts (and must clean up) its embedded Redis
    return env


def _listening_addresses(port: int) -> set[str]:
    return {c.laddr.ip for c in psutil.net_connections("tcp")
            if c.status == psutil.CONN_LISTEN and c.laddr.port == port}


def _still_running(processes: list[psutil.Process]) -> list[str]:
    alive = []
    for process in processes:
        try:
            if process.is_running() and process.status() != psutil.STATUS_ZOMBIE:
                alive.append(f"{process.pid} {process.name()}")
        except psutil.NoSuchProcess:
            continue
    return alive


def _wait_gone(processes: list[psutil.Process]) -> list[str]:
    psutil.wait_procs(processes, timeout=STOP_TIMEOUT_S)
    return _still_running(processes)


@pytest.fixture
def ports() -> dict[str, int]:
    return {name: free_port() for name in ("http", "redis", "stats", "metrics")}


def test_run_after_kill_9_of_the_previous_one_comes_up_and_stops_clean(
    tmp_path: Path, ports: dict[str, int]
) -> None:
    env = _env(ports)
    first = Run(tmp_path, env, ports["http"], "first")
    second: Run | None = None
    try:
        first.wait_until_up()
        # HAProxy's stats page and Prometheus exporter answer on loopback only.
        assert _listening_addresses(ports["stats"]) == {"127.0.0.1"}
        assert _listening_addresses(ports["metrics"]) == {"127.0.0.1"}
        started = first.descendants()
        first.process.kill()  # kill -9: nothing of the run gets to clean up
        first.process.wait()
        left = _still_running(started)
        assert any("redis-server" in p for p in left), left  # the case this test is about

        second = Run(tmp_path, env, ports["http"], "second")
        second.wait_until_up()
        assert "Stopped what a previous run left" in second.output()
        assert _still_running(started) == []
        started = second.descendants()

        assert second.stop(signal.SIGTERM) == 0
        assert _wait_gone(started) == []
        assert all(not _listening_addresses(port) for port in ports.values())
        assert second.record() is None  # a clean stop forgets its record
    finally:
        first.kill()
        if second is not None:
            second.kill()


def test_sighup_during_start_up_stops_what_was_started(
    tmp_path: Path, ports: dict[str, int]
) -> None:
    run = Run(tmp_path, _env(ports), ports["http"], "hup")
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not ((record := run.record()) and any(p.name == "redis-server"
                                                    for p in record.started)):
            assert run.process.poll() is None, run.output()[-3000:]
            assert time.monotonic() < deadline, "the run never started its Redis"
            time.sleep(0.05)
        started = run.descendants()
        assert "Demo company" not in run.output()  # still starting

        assert run.stop(signal.SIGHUP) == 0  # a closed terminal
        assert _wait_gone(started) == []
        assert "Traceback" not in run.output()
        assert all(not _listening_addresses(port) for port in ports.values())
    finally:
        run.kill()


def test_a_busy_port_is_named_in_one_line(tmp_path: Path, ports: dict[str, int]) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(ports["http"]), "--bind", "127.0.0.1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while not _listening_addresses(ports["http"]):
            assert time.monotonic() < deadline, "the port holder did not start"
            time.sleep(0.05)
        refused = subprocess.run(
            [sys.executable, "-m", "runtime.cli", "run", "--port", str(ports["http"])],
            cwd=tmp_path, env=_env(ports), capture_output=True, text=True, timeout=120,
        )
        assert refused.returncode == 1
        lines = refused.stderr.strip().splitlines()
        assert lines == [f"clientsvia run: port {ports['http']} (http) is held by pid "
                         f"{holder.pid} ({sys.executable} -m http.server {ports['http']} "
                         "--bind 127.0.0.1); stop it or choose another port"], refused.stderr
        assert not _listening_addresses(ports["redis"])  # nothing was started
    finally:
        holder.terminate()
        holder.wait()
