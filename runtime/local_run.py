"""What a `clientsvia run` started, written under var/ so that the next run can clean up.

A run killed with SIGKILL (or a crash) cannot stop what it started: the embedded
redis-server and some Ray processes (its dashboard and runtime-env agents, sometimes
Serve's HAProxy) outlive it and hold their ports, and the next run failed with a Ray
traceback. So a run records its own pid, its ports and every process below it in
`var/run.json` (refreshed while it runs: Ray starts processes later), and the next run:

- refuses to start while the recorded run is alive ("already running, pid N");
- stops whatever the recorded run left (checked by pid *and* start time, so a recycled
  pid is never touched);
- names, in one line, any other process that holds a port it needs.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psutil

STOP_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class StartedProcess:
    pid: int
    created: float  # psutil create_time: tells a live process from a recycled pid
    name: str

    @classmethod
    def of(cls, process: psutil.Process) -> StartedProcess:
        return cls(process.pid, process.create_time(), process.name())

    def alive(self) -> psutil.Process | None:
        """The process, if it is still this one (same pid and start time) and not a zombie."""
        try:
            process = psutil.Process(self.pid)
            if abs(process.create_time() - self.created) > 0.01:
                return None
            return None if process.status() == psutil.STATUS_ZOMBIE else process
        except psutil.Error:
            return None


@dataclass
class RunRecord:
    owner: StartedProcess
    ports: dict[str, int]  # what each port is for: {"http": 8000, "redis": 6391, ...}
    started: list[StartedProcess] = field(default_factory=list)
    # Command-line fragments only this run's processes carry (its Ray node id, which names
    # Serve's HAProxy config folder): finds those started after the last refresh.
    markers: list[str] = field(default_factory=list)

    @classmethod
    def for_this_process(cls, ports: dict[str, int]) -> RunRecord:
        return cls(StartedProcess.of(psutil.Process()), dict(ports))

    def refresh(self) -> None:
        """Add every process now running below the owner or carrying a marker (Ray starts
        some late, and HAProxy's reloads replace its process)."""
        known = {p.pid for p in self.started}
        owner = self.owner.alive()  # never the children of a pid recycled since
        try:
            children = owner.children(recursive=True) if owner is not None else []
        except psutil.Error:
            children = []
        for child in [*children, *_carrying(self.markers)]:
            try:
                if child.pid not in known:
                    self.started.append(StartedProcess.of(child))
            except psutil.Error:
                continue

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".tmp")
        partial.write_text(json.dumps(asdict(self), indent=1))
        partial.replace(path)

    @classmethod
    def load(cls, path: Path) -> RunRecord | None:
        try:
            data = json.loads(path.read_text())
            return cls(
                StartedProcess(**data["owner"]),
                {str(k): int(v) for k, v in data["ports"].items()},
                [StartedProcess(**p) for p in data["started"]],
                [str(m) for m in data.get("markers", [])],
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None  # no record, or one this version cannot read: nothing to clean


class RunConflict(RuntimeError):
    """Another run, or another program, holds what this run needs. The message is one line."""


def clear_previous_run(path: Path) -> list[str]:
    """Stop what the run recorded at `path` left behind; returns the names of what stopped.

    Raises `RunConflict` when that run is still alive.
    """
    previous = RunRecord.load(path)
    if previous is None:
        return []
    if previous.owner.alive() is not None:
        raise RunConflict(
            f"clientsvia run is already running (pid {previous.owner.pid}, "
            f"HTTP port {previous.ports.get('http')}); stop it first"
        )
    previous.refresh()  # what carries its markers but was started after its last save
    stopped = stop_processes(previous.started)
    path.unlink(missing_ok=True)
    return stopped


def stop_processes(started: list[StartedProcess]) -> list[str]:
    """Terminate those of `started` still alive (kill after a grace period); their names."""
    alive = [p for p in (s.alive() for s in started) if p is not None]
    names = [_name(p) for p in alive]
    for process in alive:
        _signal(process, psutil.Process.terminate)
    _, survivors = psutil.wait_procs(alive, timeout=STOP_TIMEOUT_S)
    for process in survivors:
        _signal(process, psutil.Process.kill)
    psutil.wait_procs(survivors, timeout=STOP_TIMEOUT_S)
    return names


def require_free_ports(ports: dict[str, int]) -> None:
    """`RunConflict` naming the process that holds any of `ports` (what each is for)."""
    for purpose, port in ports.items():
        holder = port_holder(port)
        if holder is not None:
            raise RunConflict(
                f"port {port} ({purpose}) is held by {holder}; stop it or choose another port"
            )


def port_holder(port: int) -> str | None:
    """"pid N (command line)" of the process listening on TCP `port`, "another user's
    process" when it cannot be named, or None when the port is free."""
    for conn in psutil.net_connections("tcp"):
        if conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr.port == port:
            if not conn.pid:
                return "another user's process"
            try:
                process = psutil.Process(conn.pid)
                return f"pid {conn.pid} ({' '.join(process.cmdline())[:120] or _name(process)})"
            except psutil.Error:
                return f"pid {conn.pid}"
    return None


def _carrying(markers: list[str]) -> list[psutil.Process]:
    """This user's processes whose command line contains one of `markers`."""
    if not markers:
        return []
    found = []
    for process in psutil.process_iter(["cmdline", "uids"]):
        uids, cmdline = process.info["uids"], process.info["cmdline"]
        if uids is None or uids.real != os.getuid() or not cmdline:
            continue
        command = " ".join(cmdline)
        if any(marker in command for marker in markers):
            found.append(process)
    return found


def _name(process: psutil.Process) -> str:
    try:
        return f"{process.name()} (pid {process.pid})"
    except psutil.Error:
        return f"pid {process.pid}"


def _signal(process: psutil.Process, send: Callable[[psutil.Process], None]) -> None:
    with contextlib.suppress(psutil.Error):
        send(process)


def remove_record(path: Path, record: RunRecord) -> None:
    """Forget the record at `path` if it is this run's (a clean stop leaves nothing)."""
    current = RunRecord.load(path)
    if current is not None and current.owner == record.owner:
        path.unlink(missing_ok=True)

