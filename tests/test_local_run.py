"""The run record: what a previous `clientsvia run` left is stopped, and nothing else."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from runtime.local_run import (
    RunConflict,
    RunRecord,
    StartedProcess,
    clear_previous_run,
    port_holder,
)


@pytest.fixture
def sleeper() -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"])
    yield process
    process.kill()
    process.wait()


def _dead_owner() -> StartedProcess:
    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()
    return StartedProcess(finished.pid, 1.0, "python")


def test_a_dead_runs_leftovers_are_stopped_and_its_record_forgotten(
    tmp_path: Path, sleeper: subprocess.Popen[bytes]
) -> None:
    path = tmp_path / "run.json"
    left = StartedProcess.of(psutil.Process(sleeper.pid))
    RunRecord(_dead_owner(), {"http": 1}, [left]).save(path)

    assert clear_previous_run(path) == [f"{left.name} (pid {sleeper.pid})"]
    assert sleeper.wait(timeout=30) is not None
    assert not path.exists()


def test_a_recycled_pid_is_never_touched(
    tmp_path: Path, sleeper: subprocess.Popen[bytes]
) -> None:
    path = tmp_path / "run.json"
    created = psutil.Process(sleeper.pid).create_time()
    other = StartedProcess(sleeper.pid, created - 100, "redis-server")  # same pid, older start
    RunRecord(_dead_owner(), {"http": 1}, [other]).save(path)

    assert clear_previous_run(path) == []
    assert sleeper.poll() is None


def test_a_process_carrying_the_runs_marker_is_stopped_too(tmp_path: Path) -> None:
    path = tmp_path / "run.json"
    marker = f"/haproxy-serve/{tmp_path.name}-node/"
    late = subprocess.Popen(  # started after the run last saved its record (a reload)
        [sys.executable, "-c", "import time; time.sleep(300)", marker])
    try:
        name = psutil.Process(late.pid).name()
        RunRecord(_dead_owner(), {"http": 1}, [], [marker]).save(path)
        assert clear_previous_run(path) == [f"{name} (pid {late.pid})"]
        assert late.wait(timeout=30) is not None
    finally:
        late.kill()
        late.wait()


def test_a_live_run_is_not_disturbed(tmp_path: Path, sleeper: subprocess.Popen[bytes]) -> None:
    path = tmp_path / "run.json"
    child = StartedProcess.of(psutil.Process(sleeper.pid))
    RunRecord(StartedProcess.of(psutil.Process()), {"http": 8123}, [child]).save(path)

    with pytest.raises(RunConflict, match=r"already running \(pid \d+, HTTP port 8123\)"):
        clear_previous_run(path)
    assert sleeper.poll() is None
    assert path.exists()


def test_an_unreadable_record_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "run.json"
    path.write_text("{not json")
    assert clear_previous_run(path) == []


def test_a_free_port_has_no_holder() -> None:
    from runtime.embedded_redis import free_port

    assert port_holder(free_port()) is None
