"""Helpers for tests that kill Ray actors."""

from __future__ import annotations

import asyncio
from typing import Any

import ray
from ray.exceptions import RayActorError


async def kill_and_wait(actor: Any, timeout_s: float = 20.0) -> None:
    """Kill a call actor and return once it is gone: `ray.kill` only asks, and a webhook sent
    right after it could still be served (and checkpointed) by the dying actor."""
    ray.kill(actor, no_restart=True)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while loop.time() < deadline:
        try:
            await asyncio.wait_for(actor.ping.remote(), 1.0)
        except RayActorError:
            return
        except TimeoutError:
            pass
        await asyncio.sleep(0.05)
    raise AssertionError(f"the actor was still alive {timeout_s:g} s after ray.kill")
