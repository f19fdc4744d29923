"""Where the node's CPU goes: CPU seconds per process role over a measured window.

Latency percentiles say *that* a node is saturated; this says *who* burns the cores.
The bench process and everything it started (Redis, Ray's daemons and workers, HAProxy,
the floor) are sampled before and after the window and sorted into a role by their
titles (Ray names its workers `ray::<Class>...`), so a round reports, e.g., "the Serve
proxy spent 9 ms of CPU per turn". Only that process tree counts: on a shared machine
other people's Ray clusters have the same titles, and counting them too made a 100-call
step look twice as expensive. Processes that start or exit inside the window count
only for the part that was seen.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from dataclasses import dataclass, field
from typing import Any

import psutil

# Role of a process, by a substring of its title / command line; first match wins.
ROLES: tuple[tuple[str, str], ...] = (
    ("ray::ServeReplica", "serve_replica"),
    ("ray::ProxyActor", "serve_proxy"),
    ("haproxy", "haproxy"),
    ("ray::ServeController", "serve_controller"),
    ("ray::HAProxyManager", "serve_controller"),
    ("ray::CallActor", "call_actors"),
    ("ray::CallPool", "call_pool"),
    ("ray::LogSink", "log_sink"),
    ("redis-server", "redis"),
    ("floor_app", "floor"),
    ("raylet", "ray_core"),
    ("gcs_server", "ray_core"),
    ("Dashboard", "ray_core"),
    ("dashboard", "ray_core"),
    ("RuntimeEnvAgent", "ray_core"),
    ("monitor.py", "ray_core"),
    ("ray::", "ray_other"),
    ("default_worker.py", "ray_other"),
)


def role_of(title: str) -> str:
    for needle, role in ROLES:
        if needle in title:
            return role
    return "other"


def _title(process: psutil.Process) -> str:
    with contextlib.suppress(psutil.Error):
        return " ".join(process.cmdline()) or process.name()
    return ""


def _our_processes() -> list[psutil.Process]:
    me = psutil.Process()
    with contextlib.suppress(psutil.Error):
        return [me, *me.children(recursive=True)]
    return [me]


def cpu_snapshot() -> dict[int, tuple[str, float]]:
    """pid -> (role, CPU seconds so far) for this process and every process it started."""
    me = os.getpid()
    seen: dict[int, tuple[str, float]] = {}
    for process in _our_processes():
        with contextlib.suppress(psutil.Error):
            times = process.cpu_times()
            role = "bench_client" if process.pid == me else role_of(_title(process))
            seen[process.pid] = (role, times.user + times.system)
    return seen


@dataclass
class CpuWindow:
    """CPU seconds spent per role between `start()` and `stop()`."""

    started_at: float = 0.0
    before: dict[int, tuple[str, float]] = field(default_factory=dict)
    spent_s: dict[str, float] = field(default_factory=dict)
    wall_s: float = 0.0

    async def start(self) -> None:
        self.before = await asyncio.to_thread(cpu_snapshot)
        self.started_at = time.perf_counter()

    async def stop(self) -> None:
        after = await asyncio.to_thread(cpu_snapshot)
        self.wall_s = time.perf_counter() - self.started_at
        spent: dict[str, float] = {}
        for pid, (role, seconds) in after.items():
            earlier = self.before.get(pid)
            delta = seconds - earlier[1] if earlier is not None else seconds
            spent[role] = spent.get(role, 0.0) + max(0.0, delta)
        self.spent_s = spent

    def report(self, turns: int) -> dict[str, Any]:
        """Cores used by each role, and its CPU milliseconds per measured turn."""
        wall = self.wall_s or 1.0
        roles = sorted(self.spent_s.items(), key=lambda item: -item[1])
        total = sum(self.spent_s.values())
        server = sum(s for role, s in self.spent_s.items()
                     if role not in ("bench_client", "floor", "other"))
        return {
            "wall_s": round(wall, 2),
            "turns": turns,
            "cores_used": round(total / wall, 2),
            "server_cpu_ms_per_turn": round(1000 * server / turns, 2) if turns else None,
            "roles": {role: {"cores": round(seconds / wall, 3),
                             "cpu_ms_per_turn": round(1000 * seconds / turns, 2)
                             if turns else None}
                      for role, seconds in roles if seconds > 0.005},
        }
