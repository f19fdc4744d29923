"""Call setup: incoming webhook → greeting TwiML with the warm pool, beside a cold actor.

The warm figure is what a caller waits for over real HTTP to Serve. The cold figure is
what the pool saves: a `CallActor` created for the call, then its `begin` awaited. The
burst is `make load USERS=30 SPAWN_RATE=10` against a node just started with `make run`'s
pool settings: callers arriving at a fixed rate, each talking (paced) after its greeting,
so a caller who waits for an actor process to start shows in the setup p99.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from typing import Any

import ray

from loadtest.bench_calls import BenchTenant, CallPlan, caller_number, run_call
from loadtest.bench_stats import latency_ms, ratio
from loadtest.twilio_sim import TwilioCallSimulator
from runtime.actors.call_actor import CallActor
from runtime.actors.messages import CallSetup
from runtime.settings import Settings


async def warm_setup(sim: TwilioCallSimulator, tenants: list[BenchTenant], calls: int
                     ) -> dict[str, Any]:
    """`calls` calls one after another: ring, greeting, hang up (the actor is recycled)."""
    seconds: list[float] = []
    failures = 0
    for index in range(calls):
        tenant = tenants[index % len(tenants)]
        sample = await run_call(sim, tenant, caller_number(index), CallPlan(turns=0))
        if sample.failed or sample.setup_s is None:
            failures += 1
        else:
            seconds.append(sample.setup_s)
    return {"calls": calls, "failed": failures, **latency_ms(seconds)}


async def burst_setup(sim: TwilioCallSimulator, tenants: list[BenchTenant], pool: Any,
                      callers: int, rate_per_s: float, turns: int = 3) -> dict[str, Any]:
    """`callers` calls starting `1 / rate_per_s` apart, each with `turns` paced turns;
    how many claims waited for an actor (`claims_waited`), and the actors started."""
    before = await pool.stats.remote()

    async def caller(index: int) -> Any:
        await asyncio.sleep(index / rate_per_s)
        plan = CallPlan(turns=turns, paced=True, seed=50_000 + index)
        return await run_call(sim, tenants[index % len(tenants)], caller_number(50_000 + index),
                              plan)

    samples = await asyncio.gather(*(caller(index) for index in range(callers)))
    after = await pool.stats.remote()
    return {
        "callers": callers, "rate_per_s": rate_per_s,
        "failed": sum(1 for sample in samples if sample.failed),
        **latency_ms([sample.setup_s for sample in samples if sample.setup_s is not None]),
        "claims_waited": (after.extra["claims_waited"] - before.extra["claims_waited"]
                          if "claims_waited" in before.extra else None),  # older pools
        "actors_started": after.created - before.created,
        "free_slots_before": before.extra["free_slots"],
    }


async def cold_setup(settings: Settings, tenants: list[BenchTenant], calls: int
                     ) -> dict[str, Any]:
    """A fresh actor per call: create it, await `begin`, then end the call and kill it."""
    seconds: list[float] = []
    for index in range(calls):
        tenant = tenants[index % len(tenants)]
        setup = CallSetup(tenant.company_id, "CA" + secrets.token_hex(16),
                          caller_number(90_000 + index), tenant.number)
        started = time.perf_counter()
        actor = CallActor.remote(settings.for_deployment())  # type: ignore[attr-defined]
        try:
            await actor.begin.remote(setup)
            seconds.append(time.perf_counter() - started)
            await actor.end.remote(setup.call_sid, "completed", 0.0)
        finally:
            ray.kill(actor, no_restart=True)
    return {"calls": calls, **latency_ms(seconds)}


def setup_report(warm: dict[str, Any], cold: dict[str, Any], burst: dict[str, Any] | None
                 ) -> dict[str, Any]:
    return {
        "burst": burst,
        "warm_pool_http": warm,
        "fresh_actor": cold,
        "cold_over_warm_p50": ratio(cold.get("p50_ms"), warm.get("p50_ms")),
        "cold_over_warm_p99": ratio(cold.get("p99_ms"), warm.get("p99_ms")),
    }
