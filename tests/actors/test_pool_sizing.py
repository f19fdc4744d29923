"""The free-slot target (`pool_sizing`) and the call pool's claims under a burst, without Ray.

The pool under test is the real `CallPool` class with its actor processes replaced by
handles that "start" when a gate opens: while the gate is shut, any claim that found no
free slot would have to wait for a process, and the pool counts it (`claims_waited`).
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
from typing import Any

import pytest

from runtime.actors.messages import CallRefused, CallSetup
from runtime.actors.pool import CallPool, PoolConfig
from runtime.actors.pool_recovery import AdoptedActor
from runtime.actors.pool_sizing import DemandTracker, WarmSizing
from runtime.settings import Settings
from tests.serve_fixtures import secret_environment

PER_ACTOR = 5
FLOOR = 10
CEILING = 30


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# --- the target ------------------------------------------------------------------------------


def tracker(clock: FakeClock, **overrides: Any) -> DemandTracker:
    return DemandTracker(WarmSizing(**{"floor": FLOOR, "ceiling": CEILING, **overrides}),
                         clock=clock)


def test_at_rest_the_target_is_the_floor() -> None:
    assert tracker(FakeClock()).target() == FLOOR


def test_a_burst_raises_the_target_by_its_rate_times_the_start_time() -> None:
    clock = FakeClock()
    demand = tracker(clock, assumed_start_s=2.0, lead_factor=1.0, ceiling=100)
    for active in range(1, 17):  # 16 calls over 2 s: 8 per second
        demand.arrived(active)
        clock.now += 0.125
    assert demand.rate() == pytest.approx(8.0)
    assert demand.target() == 16  # 8 calls/s over an actor's 2 s start


def test_slower_starts_raise_the_target() -> None:
    clock = FakeClock()
    demand = tracker(clock, assumed_start_s=1.0, lead_factor=1.0, ceiling=100)
    for active in range(1, 21):
        demand.arrived(active)
        clock.now += 0.1
    before = demand.target()
    for _ in range(5):
        demand.started(4.0)
    assert demand.start_s > 3.0
    assert demand.target() > 2 * before


def test_the_recent_peak_of_concurrent_calls_keeps_a_share_free() -> None:
    clock = FakeClock()
    demand = tracker(clock, concurrency_share=0.25, ceiling=100, window_s=30.0)
    demand.arrived(160)
    clock.now += 25.0  # the arrival rate is now low, the peak still recent
    assert demand.target() == 40
    clock.now += 10.0  # the peak has left the window
    assert demand.target() == FLOOR


def test_the_target_never_passes_the_ceiling() -> None:
    clock = FakeClock()
    demand = tracker(clock)
    for active in range(1, 101):
        demand.arrived(active)
    assert demand.target() == CEILING


def test_a_surplus_retires_an_actor_only_after_it_lasted_and_one_at_a_time() -> None:
    clock = FakeClock()
    demand = tracker(clock, shrink_after_s=60.0)
    free = FLOOR + 3 * PER_ACTOR  # three actors more than the floor needs
    assert not demand.surplus_to_retire(free, PER_ACTOR)
    clock.now += 59.0
    assert not demand.surplus_to_retire(free, PER_ACTOR)
    clock.now += 2.0
    assert demand.surplus_to_retire(free, PER_ACTOR)
    assert not demand.surplus_to_retire(free - PER_ACTOR, PER_ACTOR)
    clock.now += 61.0
    assert demand.surplus_to_retire(free - PER_ACTOR, PER_ACTOR)
    # less than a whole actor above the target: kept, and the surplus clock restarts
    assert not demand.surplus_to_retire(FLOOR + PER_ACTOR - 1, PER_ACTOR)


# --- the pool under a burst ------------------------------------------------------------------


class FakeActor:
    """Answers the one actor method the pool calls here (`held_calls.remote()`)."""

    class _HeldCalls:
        async def remote(self) -> list[str]:
            return []

    held_calls = _HeldCalls()


class GatedPool(CallPool.__ray_actor_class__):  # type: ignore[name-defined,misc]
    """The real pool; its actors start only while `gate` is open."""

    def __init__(self, config: PoolConfig, gate: asyncio.Event) -> None:
        self.gate = gate
        self.launched = 0
        self.killed = 0
        super().__init__(config)

    async def _launch(self, name: str) -> Any:
        self.launched += 1
        await self.gate.wait()
        return FakeActor()

    async def _adopt(self) -> list[AdoptedActor]:
        return []

    def _own_name(self) -> str | None:
        return "unit-pool"

    def _kill(self, handle: Any) -> None:
        self.killed += 1


@pytest.fixture
def config(monkeypatch: pytest.MonkeyPatch) -> PoolConfig:
    for name, value in secret_environment().items():
        monkeypatch.setenv(name, value)
    settings = Settings.model_validate({"redis_url": "redis://127.0.0.1:1/0",
                                        "calls_per_actor": PER_ACTOR})
    return PoolConfig.from_settings(
        settings, warm_pool_size=FLOOR, warm_pool_max=CEILING, max_concurrent_calls=200,
        max_calls_per_company=200, claim_wait_s=0.0, first_claim_wait_s=0.0,
        size_interval_s=3600.0, reap_interval_s=3600.0, max_parallel_starts=100)


_sids = itertools.count()


def setup() -> CallSetup:
    return CallSetup(company_id="0" * 24, call_sid=f"CA{next(_sids):032x}",
                     caller_number="+15550100000", called_number="+15550100001")


async def warm_pool(config: PoolConfig) -> GatedPool:
    gate = asyncio.Event()
    gate.set()
    pool = GatedPool(config, gate)
    assert await pool.wait_warm(5.0)
    await asyncio.sleep(0)  # let the warm-up's last notifications run
    gate.clear()  # from now on, an actor start takes until the test opens the gate
    return pool


async def stop(pool: GatedPool) -> None:
    await pool.shutdown()
    pool.gate.set()  # let the starts still waiting finish


async def burst(pool: GatedPool, callers: int) -> list[str | CallRefused]:
    return list(await asyncio.gather(*(pool.claim(setup()) for _ in range(callers))))


async def test_a_burst_within_the_free_slots_never_waits_for_an_actor(config) -> None:
    pool = await warm_pool(config)
    warm_actors = pool.launched
    assert warm_actors == FLOOR // PER_ACTOR

    claimed = await burst(pool, FLOOR)  # every warm slot at once, no actor able to start

    assert all(isinstance(name, str) for name in claimed), claimed
    stats = await pool.stats()
    assert stats.extra["claims_waited"] == 0 and stats.extra["refused"] == 0
    assert stats.active == FLOOR
    # ...and the pool started more actors in the background before it ran out
    assert pool.launched > warm_actors
    assert stats.starting == pool.launched - warm_actors
    await stop(pool)


async def test_a_caller_beyond_the_free_slots_would_wait_and_is_counted(config) -> None:
    pool = await warm_pool(config)
    claimed = await burst(pool, FLOOR + 1)
    refused = [result for result in claimed if isinstance(result, CallRefused)]
    assert len(refused) == 1 and refused[0].reason == "no_idle_actor"
    assert (await pool.stats()).extra["claims_waited"] == 1
    await stop(pool)


async def test_a_second_wave_larger_than_the_floor_finds_the_slots_the_first_wave_grew(
        config) -> None:
    pool = await warm_pool(config)
    assert all(isinstance(name, str) for name in await burst(pool, FLOOR))
    pool.gate.set()  # the actors the burst asked for start (seconds pass)
    while (await pool.stats()).starting:
        await asyncio.sleep(0.01)
    stats = await pool.stats()
    assert stats.extra["free_slots"] >= CEILING  # rate x start time: clamped at the ceiling
    pool.gate.clear()

    second = await burst(pool, CEILING)  # three times the floor, no actor able to start
    assert all(isinstance(name, str) for name in second), second
    assert (await pool.stats()).extra["claims_waited"] == 0
    await stop(pool)


async def test_an_idle_surplus_shrinks_the_pool_one_actor_at_a_time(config) -> None:
    pool = await warm_pool(config)
    clock = FakeClock()
    pool._demand = DemandTracker(pool._demand.sizing, clock=clock)
    pool.gate.set()
    claimed = await burst(pool, FLOOR)
    while (await pool.stats()).starting:
        await asyncio.sleep(0.01)
    claimed += await burst(pool, CEILING)
    for name in claimed:
        assert isinstance(name, str)
        await pool.release(name)
    actors = (await pool.stats()).extra["actors"]
    assert actors > FLOOR // PER_ACTOR + 1

    clock.now += 3600.0  # the burst is long gone
    pool._shrink()  # the surplus starts counting
    assert (await pool.stats()).extra["actors"] == actors
    clock.now += pool._demand.sizing.shrink_after_s + 1
    pool._shrink()
    pool._shrink()  # right after: the surplus must last again
    stats = await pool.stats()
    assert stats.extra["actors"] == actors - 1 and stats.extra["shrunk"] == 1
    assert pool.killed == 1
    await stop(pool)


async def test_the_pool_keeps_no_more_free_slots_than_it_could_ever_admit(config) -> None:
    small = dataclasses.replace(config, max_concurrent_calls=FLOOR + 2)
    pool = await warm_pool(small)
    assert all(isinstance(name, str) for name in await burst(pool, FLOOR))
    stats = await pool.stats()
    assert stats.extra["target_free"] == FLOOR + 2  # the burst alone would ask for 30
    assert stats.starting == -(-(FLOOR + 2) // PER_ACTOR)  # 12 free slots' worth of actors
    await stop(pool)


async def test_no_more_actors_start_at_once_than_allowed(config) -> None:
    pool = await warm_pool(dataclasses.replace(config, max_parallel_starts=2))
    assert all(isinstance(name, str) for name in await burst(pool, FLOOR))
    assert (await pool.stats()).starting == 2  # the burst alone would start 6 (30 slots)
    pool.gate.set()
    while (await pool.stats()).starting:
        await asyncio.sleep(0)
    pool._refill()  # the next claim or sizing tick: what the target still lacks follows
    assert 0 < (await pool.stats()).starting <= 2
    await stop(pool)
