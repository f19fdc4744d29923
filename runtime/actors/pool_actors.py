"""Starting and killing the call pool's actor processes (the Ray calls, kept in one place)."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import ray

from runtime.actors.call_actor import CallActor
from runtime.actors.pool_config import PoolConfig


async def launch_call_actor(config: PoolConfig, name: str) -> Any:
    """A started call actor named `name`; one that does not answer in time is killed."""
    options: dict[str, Any] = {"name": name, "namespace": config.namespace}
    if config.detached_actors:
        options["lifetime"] = "detached"  # outlives the pool: a restarted pool adopts it
    handle = CallActor.options(**options).remote(  # type: ignore[attr-defined]
        config.settings, config.actor_options)
    try:
        await asyncio.wait_for(handle.ping.remote(), config.actor_start_timeout_s)
    except BaseException:
        kill_quietly(handle)
        raise
    return handle


def kill_quietly(handle: Any) -> None:
    """Kill an actor for good; one already gone is fine."""
    with contextlib.suppress(Exception):
        ray.kill(handle, no_restart=True)
