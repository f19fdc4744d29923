"""Memory per call: USS of idle and busy call-actor processes, and the node's used memory.

Actor pids come from the GCS actor table (no dashboard needed); whether an actor holds
a call comes from its own `describe()`. USS is what the process alone would give back.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import psutil
import ray
from ray._private import state as ray_state

from loadtest.bench_stats import percentile
from runtime.actors.pool import CALL_NAMESPACE

MB = 1024 * 1024


def _uss_mb(pid: int) -> float | None:
    with contextlib.suppress(psutil.Error):
        return float(psutil.Process(pid).memory_full_info().uss) / MB
    return None


async def _holds_call(name: str) -> bool | None:
    try:
        handle = await asyncio.to_thread(ray.get_actor, name, namespace=CALL_NAMESPACE)
        described: dict[str, Any] = await asyncio.wait_for(handle.describe.remote(), 10)
    except Exception:  # retired or busy past the deadline: not counted
        return None
    return described["call_sid"] is not None


def _summary(values: list[float]) -> dict[str, Any]:
    if not values:
        return {"n": 0}
    return {"n": len(values), "mean_mb": round(sum(values) / len(values), 1),
            "p50_mb": round(percentile(values, 50), 1), "max_mb": round(max(values), 1)}


def node_memory() -> dict[str, Any]:
    memory = psutil.virtual_memory()
    return {"total_mb": round(memory.total / MB), "used_mb": round(memory.used / MB),
            "available_mb": round(memory.available / MB), "processes": len(psutil.pids())}


def _call_actor_pids() -> list[tuple[str, int]]:
    table = ray_state.actors(actor_state_name="ALIVE")
    return [(info["Name"], int(info["Pid"])) for info in table.values()
            if info["ActorClassName"] == "CallActor" and info["Name"]]


async def idle_actor_cpu(seconds: float = 5.0) -> dict[str, Any]:
    """CPU the call actors burn while nobody calls: share of one core per actor."""
    pids = [pid for _, pid in await asyncio.to_thread(_call_actor_pids)]

    def cpu_seconds() -> dict[int, float]:
        used = {}
        for pid in pids:
            with contextlib.suppress(psutil.Error):
                times = psutil.Process(pid).cpu_times()
                used[pid] = times.user + times.system
        return used

    before = await asyncio.to_thread(cpu_seconds)
    await asyncio.sleep(seconds)
    after = await asyncio.to_thread(cpu_seconds)
    spent = [after[pid] - before[pid] for pid in before if pid in after]
    total = sum(spent) / seconds
    return {"actors": len(spent), "cores_used_by_all": round(total, 3),
            "core_share_per_actor": round(total / len(spent), 4) if spent else None}


async def call_actor_memory() -> dict[str, Any]:
    """USS of every live CallActor, split by whether it holds a call right now."""
    actors = await asyncio.to_thread(_call_actor_pids)
    busy = await asyncio.gather(*(_holds_call(name) for name, _ in actors))
    uss = await asyncio.to_thread(lambda: [_uss_mb(pid) for _, pid in actors])
    idle_mb = [m for m, b in zip(uss, busy, strict=True) if m is not None and b is False]
    active_mb = [m for m, b in zip(uss, busy, strict=True) if m is not None and b is True]
    return {
        "actors": len(actors),
        "idle_uss": _summary(idle_mb),
        "active_uss": _summary(active_mb),
        "all_actors_uss_mb": round(sum(m for m in uss if m is not None)),
        "node": node_memory(),
    }
