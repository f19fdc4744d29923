"""Turn overhead: the turn webhook's round trip with zero-latency doubles, under concurrency.

Each of `concurrency` slots places calls back to back (setup, K unpaced turns alternating
a knowledge and a model question, status callback), so the server holds that many live
calls throughout. The same round runs against the runtime and against the floor, one
after the other in the same process, and the ratio runtime/floor is reported.
"""

from __future__ import annotations

import asyncio
import math
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from loadtest.bench_calls import (
    BOOKING_SCRIPT,
    BenchTenant,
    CallPlan,
    CallSample,
    caller_number,
    run_call,
)
from loadtest.bench_cpu import CpuWindow
from loadtest.bench_stats import latency_ms, ratio
from loadtest.twilio_sim import TwilioCallSimulator


@dataclass(frozen=True)
class RoundPlan:
    concurrency: int
    calls_per_slot: int
    turns: int
    seed: int = 0
    script: tuple[str, ...] = ()  # every call says this (e.g. a booking); empty: questions


def calls_per_slot(concurrency: int, target_calls: int) -> int:
    """Enough calls per slot for about `target_calls` in all, at least one per slot."""
    return max(1, math.ceil(target_calls / concurrency))


async def run_round(sim: TwilioCallSimulator, tenants: Sequence[BenchTenant], plan: RoundPlan
                    ) -> dict[str, Any]:
    samples: list[CallSample] = []

    async def slot(index: int) -> None:
        for number in range(plan.calls_per_slot):
            tenant = tenants[(index + number) % len(tenants)]
            caller = caller_number(index * 1000 + number)
            call = CallPlan(plan.turns, seed=plan.seed + index * 1000 + number,
                            script=plan.script)
            samples.append(await run_call(sim, tenant, caller, call))

    load = os.getloadavg()[0]
    cpu = CpuWindow()
    await cpu.start()
    started = time.perf_counter()
    await asyncio.gather(*(slot(index) for index in range(plan.concurrency)))
    wall_s = time.perf_counter() - started
    await cpu.stop()
    summary = summarize_round(plan, samples, wall_s, load)
    summary["cpu"] = cpu.report(summary["turn_webhook"].get("n", 0))
    return summary


def summarize_round(plan: RoundPlan, samples: Sequence[CallSample], wall_s: float,
                    load: float) -> dict[str, Any]:
    turns = [turn for sample in samples for turn in sample.turns]
    errors = [sample.error for sample in samples if sample.error]
    return {
        "concurrency": plan.concurrency,
        "calls": len(samples),
        "failed_calls": sum(sample.failed for sample in samples),
        "refused_calls": sum(sample.refused for sample in samples),
        "ended_early": sum(sample.ended_early for sample in samples),
        "first_errors": errors[:3],
        "turn_webhook": latency_ms([turn.webhook_s for turn in turns]),
        "turn_with_audio": latency_ms([turn.action_s for turn in turns]),
        "setup": latency_ms([s.setup_s for s in samples if s.setup_s is not None]),
        "redirects": sum(turn.redirects for turn in turns),
        "plays_per_turn": round(sum(t.plays for t in turns) / len(turns), 2) if turns else None,
        "wall_s": round(wall_s, 2),
        "turns_per_s": round(len(turns) / wall_s, 1) if wall_s else None,
        "load_1m_at_start": round(load, 2),
    }


async def sweep(
    runtime: TwilioCallSimulator,
    floor: TwilioCallSimulator,
    tenants: Sequence[BenchTenant],
    concurrencies: Sequence[int],
    *,
    turns: int,
    target_calls: int,
) -> list[dict[str, Any]]:
    """For each concurrency: a runtime round, then a floor round, and their ratios."""
    warmup = RoundPlan(concurrency=4, calls_per_slot=1, turns=turns, seed=999_000)
    await run_round(runtime, tenants, warmup)
    await run_round(floor, tenants, warmup)
    rows = []
    for concurrency in concurrencies:
        plan = RoundPlan(concurrency, calls_per_slot(concurrency, target_calls), turns,
                         seed=concurrency * 100_000)
        measured = await run_round(runtime, tenants, plan)
        baseline = await run_round(floor, tenants, plan)
        ours, theirs = measured["turn_webhook"], baseline["turn_webhook"]
        rows.append({
            "concurrency": concurrency,
            "runtime": measured,
            "floor": baseline,
            "ratio_p50": ratio(ours.get("p50_ms"), theirs.get("p50_ms")),
            "ratio_p99": ratio(ours.get("p99_ms"), theirs.get("p99_ms")),
        })
    return rows


def unpaced_throughput(rows: Sequence[dict[str, Any]], p99_target_ms: float = 100.0
                       ) -> dict[str, Any]:
    """The most turns/s a sweep round sustained with p99 ≤ target and no failed call, for
    the runtime and (same rule, same rounds) the floor, and their ratio."""
    best = _fastest([row["runtime"] for row in rows], p99_target_ms)
    floor = _fastest([row["floor"] for row in rows if "floor" in row], p99_target_ms)
    return {"p99_target_ms": p99_target_ms,
            "turns_per_s": best["turns_per_s"] if best else None,
            "at_concurrency": best["concurrency"] if best else None,
            "floor_turns_per_s": floor["turns_per_s"] if floor else None,
            "ratio_to_floor": ratio(best["turns_per_s"] if best else None,
                                    floor["turns_per_s"] if floor else None)}


def _fastest(rounds: Sequence[dict[str, Any]], p99_target_ms: float) -> dict[str, Any] | None:
    passing = [r for r in rounds
               if r["turn_webhook"].get("p99_ms", float("inf")) <= p99_target_ms
               and not r["failed_calls"]]
    return max(passing, key=lambda r: r["turns_per_s"] or 0.0, default=None)


async def booking_round(sim: TwilioCallSimulator, tenants: Sequence[BenchTenant],
                        concurrency: int, target_calls: int) -> dict[str, Any]:
    """Turn overhead while every live call is booking a visit (runtime only: the floor
    has no bookings), to set beside the question rounds at the same concurrency."""
    plan = RoundPlan(concurrency, calls_per_slot(concurrency, target_calls),
                     len(BOOKING_SCRIPT), seed=777_000, script=BOOKING_SCRIPT)
    return await run_round(sim, tenants, plan)
