"""Capacity: the most concurrent paced calls one node holds with p99 turn overhead ≤ 100 ms.

Paced callers behave like people: calls start spread over a ramp, each caller speaks
once every 3-9 s, hangs up after a few turns and calls again, until the step ends. Only
turns inside the hold window (after the ramp) count; memory is sampled at its end,
while every call is still live.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from loadtest.bench_calls import BenchTenant, CallPlan, CallSample, caller_number, run_call
from loadtest.bench_cpu import CpuWindow
from loadtest.bench_memory import call_actor_memory
from loadtest.bench_stats import latency_ms, progress
from loadtest.twilio_sim import TwilioCallSimulator

P99_TARGET_MS = 100.0
GIVE_UP_P99_MS = 2000.0  # past this the node is overloaded: larger steps say nothing new
Prepare = Callable[[int], Awaitable[str | None]]


@dataclass(frozen=True)
class StepPlan:
    calls: int
    hold_s: float
    ramp_s: float
    turns_per_call: int = 5
    seed: int = 0


async def run_step(sim: TwilioCallSimulator, tenants: Sequence[BenchTenant], plan: StepPlan
                   ) -> dict[str, Any]:
    stop = asyncio.Event()
    samples: list[CallSample] = []

    async def caller(index: int) -> None:
        await asyncio.sleep(index * plan.ramp_s / plan.calls)
        number = 0
        while not stop.is_set():
            tenant = tenants[(index + number) % len(tenants)]
            call = CallPlan(plan.turns_per_call, paced=True,
                            seed=plan.seed + index * 1000 + number)
            samples.append(await run_call(sim, tenant, caller_number(index * 1000 + number),
                                          call, stop))
            number += 1

    load = os.getloadavg()[0]
    callers = [asyncio.create_task(caller(index)) for index in range(plan.calls)]
    window_start = time.monotonic() + plan.ramp_s
    cpu = CpuWindow()
    await asyncio.sleep(plan.ramp_s)
    await cpu.start()
    await asyncio.sleep(plan.hold_s)
    window_end = time.monotonic()
    await cpu.stop()
    memory = await call_actor_memory()
    stop.set()
    await asyncio.gather(*callers)
    turns = [t for s in samples for t in s.turns if window_start <= t.at <= window_end]
    failed = [s for s in samples if s.failed]
    webhook = latency_ms([t.webhook_s for t in turns])
    return {
        "calls": plan.calls,
        "hold_s": plan.hold_s,
        "turns_in_window": len(turns),
        "turn_webhook": webhook,
        # the whole caller action: the webhook, any <Redirect>, every <Play> download
        "turn_with_audio": latency_ms([t.action_s for t in turns]),
        "setup": latency_ms([s.setup_s for s in samples if s.setup_s is not None]),
        "calls_placed": len(samples),
        "failed_calls": len(failed),
        "first_errors": [s.error or "refused" for s in failed[:3]],
        "passed": not failed and bool(turns) and webhook["p99_ms"] <= P99_TARGET_MS,
        "memory": memory,
        "cpu": cpu.report(len(turns)),
        "load_1m_at_start": round(load, 2),
    }


async def find_capacity(sim: TwilioCallSimulator, tenants: Sequence[BenchTenant],
                        steps: Sequence[int], hold_s: float, prepare: Prepare
                        ) -> dict[str, Any]:
    """Every step in turn (until one breaks down); capacity is the largest that passed.

    `prepare(calls)` readies the node for a step (grows the pool) and returns why the
    step cannot run (e.g. not enough memory), or None.
    """
    results: list[dict[str, Any]] = []
    skipped: dict[str, Any] | None = None
    for calls in steps:
        reason = await prepare(calls)
        if reason is not None:
            skipped = {"calls": calls, "reason": reason}
            break
        progress(f"capacity step: {calls} paced calls")
        ramp_s = min(20.0, max(5.0, calls / 10.0))
        step = await run_step(sim, tenants, StepPlan(calls, hold_s, ramp_s, seed=calls * 7919))
        results.append(step)
        if step["failed_calls"] or step["turn_webhook"].get("p99_ms", 0) > GIVE_UP_P99_MS:
            break
    passed = [step["calls"] for step in results if step["passed"]]
    return {"p99_target_ms": P99_TARGET_MS, "capacity_calls": max(passed, default=0),
            "steps": results, "not_run": skipped}
