"""What a restarted call pool finds still running: its actors and the calls they hold.

Call actors are detached, so they (and the live calls on them) outlive the pool's process.
When the pool comes back (Ray restarts it), it adopts its actors by their names and asks
each what it holds; the call directory says which company each call belongs to. Callers
hear nothing of it: their webhooks go straight to their actors through the directory.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from typing import Any

import ray
import structlog

from runtime.actors.directory import CallDirectory

log = structlog.get_logger(__name__)

DESCRIBE_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class AdoptedActor:
    name: str
    handle: Any
    calls: dict[str, str]  # call sid -> company id, for the calls it holds
    uses: int  # calls it has served


def actor_name_prefix(actor_prefix: str, pool_name: str | None) -> str:
    """Names of one pool's actors start with this (two pools never adopt each other's)."""
    return f"{actor_prefix}-{pool_name}-" if pool_name else f"{actor_prefix}-"


async def adopt_actors(namespace: str, prefix: str, directory: CallDirectory
                       ) -> list[AdoptedActor]:
    """Every live actor named `prefix...` in `namespace`, with the calls it holds."""
    named = await asyncio.to_thread(ray.util.list_named_actors, all_namespaces=True)
    names = [actor["name"] for actor in named
             if actor["namespace"] == namespace and actor["name"].startswith(prefix)]
    adopted = await asyncio.gather(*(_adopt(name, namespace, directory) for name in names))
    found = [actor for actor in adopted if actor is not None]
    if found:
        log.info("call_actors_adopted", actors=len(found),
                 calls=sum(len(actor.calls) for actor in found))
    return found


async def _adopt(name: str, namespace: str, directory: CallDirectory) -> AdoptedActor | None:
    handle = None
    try:
        handle = await asyncio.to_thread(ray.get_actor, name, namespace=namespace)
        described: dict[str, Any] = await asyncio.wait_for(handle.describe.remote(),
                                                           DESCRIBE_TIMEOUT_S)
    except Exception:  # died meanwhile, or hung: not ours to keep
        log.warning("call_actor_not_adopted", actor=name)
        if handle is not None:
            with contextlib.suppress(Exception):
                ray.kill(handle, no_restart=True)
        return None
    calls: dict[str, str] = {}
    for call_sid in described["calls"]:
        entry = await directory.lookup(call_sid)
        if entry is not None:
            calls[call_sid] = entry.company_id
    return AdoptedActor(name, handle, calls, int(described["uses"]))
