"""Freeing a call's slot: the pool reads the calls an actor reported with the call's end
(`release(..., held=...)`) instead of asking the actor again, without Ray.

The pool is the real `CallPool` with fake actor handles that count how often the pool
asks them for their calls (`held_calls`) and answer what the test tells them to.
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

from runtime.actors.pool import PoolConfig
from tests.actors.test_pool_sizing import PER_ACTOR, GatedPool, config, setup  # noqa: F401


class CountingActor:
    """A call actor handle whose `held_calls` answers `holding` and counts the questions."""

    def __init__(self) -> None:
        self.asked = 0
        self.holding: list[str] = []
        actor = self

        class _HeldCalls:
            async def remote(self) -> list[str]:
                actor.asked += 1
                return list(actor.holding)

        self.held_calls = _HeldCalls()


class CountingPool(GatedPool):
    async def _launch(self, name: str) -> Any:
        await self.gate.wait()
        self.launched += 1
        return CountingActor()


async def one_actor_pool(config: PoolConfig) -> tuple[CountingPool, str, CountingActor]:  # noqa: F811
    """A warm pool of one actor (`PER_ACTOR` slots) whose further starts never finish."""
    gate = asyncio.Event()
    gate.set()
    pool = CountingPool(dataclasses.replace(config, warm_pool_size=PER_ACTOR,
                                            warm_pool_max=PER_ACTOR), gate)
    assert await pool.wait_warm(5.0)
    gate.clear()
    ((name, handle),) = pool._handles.items()
    return pool, name, handle


async def claim(pool: CountingPool, name: str) -> str:
    call = setup()
    assert await pool.claim(call) == name
    return call.call_sid


def open_actor(pool: CountingPool, name: str) -> bool:
    return name in pool._handles and name not in pool._closed


async def test_a_reported_end_frees_the_slot_without_asking_the_actor(config) -> None:  # noqa: F811
    pool, name, actor = await one_actor_pool(config)
    first, second = await claim(pool, name), await claim(pool, name)

    await pool.release(name, first, held=[second])

    assert actor.asked == 0
    assert open_actor(pool, name) and (await pool.stats()).active == 1
    await pool.release(name, second)  # nothing reported (a failed begin): the pool asks
    assert actor.asked == 1 and open_actor(pool, name)
    await pool.shutdown()


async def test_an_actor_reporting_a_call_the_pool_never_gave_it_is_retired(config) -> None:  # noqa: F811
    pool, name, actor = await one_actor_pool(config)
    call = await claim(pool, name)

    await pool.release(name, call, held=["CA" + "f" * 32])

    assert name not in pool._handles and pool.killed == 1  # unclean and empty: retired
    assert actor.asked == 0
    await pool.shutdown()


async def test_a_report_older_than_a_neighbours_release_keeps_the_actor(config) -> None:  # noqa: F811
    pool, name, _ = await one_actor_pool(config)
    first, second = await claim(pool, name), await claim(pool, name)
    # `first` ended while `second` was live, but `second` ended too and its release
    # reached the pool before `first`'s: the report of `first`'s end still lists it
    await pool.release(name, second, held=[])
    await pool.release(name, first, held=[second])

    assert open_actor(pool, name) and pool.killed == 0
    await pool.shutdown()


async def test_an_actor_that_still_holds_a_released_call_when_asked_is_retired(config) -> None:  # noqa: F811
    pool, name, actor = await one_actor_pool(config)
    call = await claim(pool, name)
    actor.holding = [call]  # its `end` failed (a reaped call that would not end)

    await pool.release(name, call)

    assert actor.asked == 1
    assert name not in pool._handles and pool.killed == 1
    await pool.shutdown()
