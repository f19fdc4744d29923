"""`CallPool`: the warm call slots, admission control and the stale-call reaper.

Each call actor hosts up to `calls_per_actor` calls (its slots). Starting one takes
seconds, so actors are started in the background to keep free slots ahead of demand (the
target follows the recent arrival rate and concurrency between `warm_pool_size` and
`warm_pool_max`, see `pool_sizing`; a lasting surplus retires idle actors one by one), and
a claim hands a slot out at once: the least-loaded actor's, spreading calls (and CPU) over
the live actors. An actor that took `actor_max_uses` calls takes no more and
retires when its last call ends. At `max_concurrent_calls`, or with no slot free within a
few tens of milliseconds, the call is refused (`CallRefused`: forward or apologise) rather
than left in silence. Actors are named, so any Serve replica finds them with `ray.get_actor`.

Tenants share the pool fairly (`TenantAdmission`): one tenant's flood never leaves another
tenant's callers hearing "all lines busy".
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import time
import uuid
from collections import Counter
from typing import Any

import ray
import structlog

from runtime.actors.admission import TenantAdmission
from runtime.actors.background import BackgroundTasks
from runtime.actors.directory import CallDirectory
from runtime.actors.messages import CallRefused, CallSetup, PoolStats
from runtime.actors.pool_actors import kill_quietly, launch_call_actor
from runtime.actors.pool_config import (
    BUSY_MESSAGE,
    CALL_NAMESPACE,
    FORWARD_MESSAGE,
    ActiveCall,
    PoolConfig,
)
from runtime.actors.pool_reaper import StaleCallReaper
from runtime.actors.pool_recovery import AdoptedActor, actor_name_prefix, adopt_actors
from runtime.actors.pool_sizing import DemandTracker, WarmSizing
from runtime.actors.ray_options import ACTOR_OPTIONS
from runtime.actors.released_calls import ReleasedCalls
from runtime.redis_client import redis_client
from runtime.settings import Settings

log = structlog.get_logger(__name__)

__all__ = ["BUSY_MESSAGE", "CALL_NAMESPACE", "FORWARD_MESSAGE", "ActiveCall", "CallPool",
           "PoolConfig", "ensure_pool"]


@ray.remote(**ACTOR_OPTIONS, max_restarts=-1)
class CallPool(StaleCallReaper):
    def __init__(self, config: PoolConfig) -> None:
        self._config = config
        settings = Settings.from_deployment(config.settings)  # what the actors are built from
        self._per_actor = settings.calls_per_actor  # call slots of one actor
        redis = redis_client(settings.redis_url)
        self._directory = CallDirectory(redis)
        self._handles: dict[str, Any] = {}  # every live actor of the pool, by name
        self._uses: Counter[str] = Counter()  # calls each actor has taken
        self._load: Counter[str] = Counter()  # calls each actor holds now
        self._closed: set[str] = set()  # actors taking no new calls (worn or unclean)
        self._calls: dict[str, ActiveCall] = {}  # every active call, by call sid
        self._released = ReleasedCalls()
        self._tenants = TenantAdmission(
            capacity=config.max_concurrent_calls, per_company=config.max_calls_per_company,
            reserved=(config.reserved_slots if config.reserved_slots is not None
                      else config.max_concurrent_calls // 10),
        )
        self._starting = 0
        self._demand = DemandTracker(WarmSizing(  # never more free slots than calls admitted
            floor=config.warm_pool_size, ceiling=min(max(config.warm_pool_max,
                                                         config.warm_pool_size),
                                                     config.max_concurrent_calls)))
        self._ready = asyncio.Condition()
        self._tasks = BackgroundTasks()
        self._counts: Counter[str] = Counter()
        self._reaper: asyncio.Task[None] | None = None
        self._sizer: asyncio.Task[None] | None = None
        self._prefix = actor_name_prefix(config.actor_prefix, self._own_name())
        self._recovery: asyncio.Task[None] | None = None
        self._recovered = asyncio.Event()
        with contextlib.suppress(RuntimeError):  # async actors run __init__ in their loop
            asyncio.get_running_loop()
            self._start_background()

    # --- calls -------------------------------------------------------------------------------

    async def claim(self, setup: CallSetup, forward_to: str | None = None) -> str | CallRefused:
        """The name of an actor with a free slot for a new call, or why it cannot be taken."""
        await self._ready_to_serve()
        if setup.call_sid in self._calls:  # the gateway reserves CallSids; never two slots
            return self._refuse("duplicate_call", None)
        if (refusal := self._admission(setup)) is not None:
            return self._refuse(refusal, forward_to)
        cold = self._counts["created"] == 0
        wait_s = self._config.first_claim_wait_s if cold else self._config.claim_wait_s
        name = await self._take_slot(wait_s)
        if name is None:
            return self._refuse("no_idle_actor", forward_to)
        # Checked again: calls may have been admitted while we waited for the slot.
        if setup.call_sid in self._calls or (refusal := self._admission(setup)) is not None:
            self._free_slot(name)
            return self._refuse(refusal or "duplicate_call", forward_to)
        self._add_call(ActiveCall(setup.call_sid, setup.company_id, name, time.time()))
        self._demand.arrived(len(self._calls))
        self._refill()  # the arrival may have raised the target: grow before running out
        return name

    def _admission(self, setup: CallSetup) -> str | None:
        return self._tenants.refusal(setup.company_id, setup.company_call_limit)

    def _add_call(self, call: ActiveCall) -> None:
        self._calls[call.call_sid] = call
        self._tenants.add(call.company_id)

    def _drop_call(self, call_sid: str) -> ActiveCall | None:
        call = self._calls.pop(call_sid, None)
        if call is not None:
            self._tenants.remove(call.company_id)
        return call

    async def release(self, actor_name: str, call_sid: str | None = None,
                      held: list[str] | None = None) -> None:
        """The call ended on `actor_name`: free its slot (`call_sid` None: the actor's oldest
        call). An actor still holding calls the pool did not give it (`held`: the calls its
        `end` reported; None: ask it) takes no new ones; a worn or unclean actor is retired
        once it holds no call."""
        await self._ready_to_serve()
        if call_sid is None:
            call_sid = next((sid for sid, call in self._calls.items()
                             if call.actor_name == actor_name), None)
        call = self._calls.get(call_sid) if call_sid is not None else None
        if call is not None and call.actor_name == actor_name:
            self._drop_call(call.call_sid)
            self._released.add(call.call_sid)
            self._free_slot(actor_name)
        handle = self._handles.get(actor_name)
        if handle is None:
            return
        reported = held is not None
        try:
            held = held if held is not None else await handle.held_calls.remote()
        except Exception:  # dead or unreachable: its calls are taken over elsewhere
            self._retire(actor_name)
            self._refill()
            return
        known = {sid for sid, active in self._calls.items() if active.actor_name == actor_name}
        if unknown := self._released.unknown(held, known, reported=reported):
            log.warning("call_actor_unclean", actor=actor_name, calls=len(unknown))
            self._closed.add(actor_name)
        self._retire_if_done(actor_name)
        self._refill()

    async def replace(self, dead_actor: str, call_sid: str, company_id: str) -> str | None:
        """A fresh slot for a live call whose actor died (the caller then `restore`s it)."""
        await self._ready_to_serve()
        taken = self._calls.get(call_sid)
        successor = taken.actor_name if taken is not None else dead_actor
        if successor != dead_actor and successor in self._handles:
            return successor  # another replica got here first
        self._drop_call(call_sid)
        self._forget(dead_actor)
        self._counts["replaced"] += 1
        name = await self._take_slot(self._config.replace_wait_s)
        if name is None:
            return None
        self._add_call(ActiveCall(call_sid, company_id, name, time.time()))
        return name

    async def stats(self) -> PoolStats:
        """`idle`: actors holding no call; `extra["free_slots"]`: calls startable at once."""
        await self._ready_to_serve()
        idle = sum(1 for name in self._handles if self._load[name] == 0)
        return PoolStats(
            idle=idle, active=len(self._calls), starting=self._starting,
            capacity=self._config.max_concurrent_calls, retired=self._counts["retired"],
            reaped=self._counts["reaped"], created=self._counts["created"],
            extra={"free_slots": self._free_slots(), "actors": len(self._handles),
                   "calls_per_actor": self._per_actor, "target_free": self._demand.target(),
                   "arrivals_per_s": round(self._demand.rate(), 3),
                   "actor_start_s": round(self._demand.start_s, 3),
                   **{key: self._counts[key] for key in (
                       "refused", "replaced", "failed_starts", "adopted", "claims_waited",
                       "shrunk")}},
        )

    async def wait_warm(self, timeout_s: float = 60.0) -> bool:
        """Wait until `warm_pool_size` slots (the floor) are free (startup scripts, tests)."""
        await self._ready_to_serve()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        async with self._ready:
            while self._free_slots() < self._config.warm_pool_size:
                self._refill()
                remaining = deadline - loop.time()
                if remaining <= 0:
                    return False
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._ready.wait(), remaining)
        return True

    async def pid(self) -> int:
        """The pool's process id (fault drills kill it)."""
        return os.getpid()

    async def shutdown(self) -> None:
        """Kill every actor of the pool (tests, teardown)."""
        for task in (self._reaper, self._sizer):
            if task is not None:
                task.cancel()
        for name in list(self._handles):
            self._forget(name)
        self._calls.clear()
        self._tenants.clear()

    # --- the warm slots ----------------------------------------------------------------------

    def _open_slots(self, name: str) -> int:
        if name in self._closed or self._uses[name] >= self._config.actor_max_uses:
            return 0
        return max(0, self._per_actor - self._load[name])

    def _free_slots(self) -> int:
        return sum(self._open_slots(name) for name in self._handles)

    def _least_loaded(self) -> str | None:
        open_actors = [name for name in self._handles if self._open_slots(name)]
        return min(open_actors, key=self._load.__getitem__, default=None)

    async def _take_slot(self, wait_s: float) -> str | None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait_s
        async with self._ready:
            if self._least_loaded() is None:  # this caller waits for an actor to start
                self._counts["claims_waited"] += 1
            while (name := self._least_loaded()) is None:
                self._refill(demand=1)
                remaining = deadline - loop.time()
                if remaining <= 0:
                    return None
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._ready.wait(), remaining)
            self._load[name] += 1
            self._uses[name] += 1
        self._refill()
        return name

    def _free_slot(self, name: str) -> None:
        if self._load[name] > 0:
            self._load[name] -= 1
        if name in self._handles:
            self._tasks.spawn(self._notify_ready())

    def _retire_if_done(self, name: str) -> None:
        worn = self._uses[name] >= self._config.actor_max_uses
        if (worn or name in self._closed) and self._load[name] == 0:
            self._retire(name)

    async def _notify_ready(self) -> None:
        async with self._ready:
            self._ready.notify_all()

    def _refill(self, demand: int = 0) -> None:
        """Start actors in the background until free + starting slots cover the target."""
        if not self._recovered.is_set():  # what is still running counts first
            return
        config = self._config
        per_actor = self._per_actor
        missing = self._demand.target() + demand - self._free_slots() - self._starting * per_actor
        ceiling = (math.ceil(config.max_concurrent_calls / per_actor)
                   + math.ceil(self._demand.sizing.ceiling / per_actor))
        room = min(ceiling - len(self._handles), config.max_parallel_starts) - self._starting
        for _ in range(max(0, min(math.ceil(missing / per_actor), room))):
            self._starting += 1
            self._tasks.spawn(self._start_actor())

    async def _start_actor(self) -> None:
        name = f"{self._prefix}{uuid.uuid4().hex[:16]}"
        started = time.monotonic()
        try:
            handle = await self._launch(name)
        except Exception:
            self._counts["failed_starts"] += 1
            log.exception("call_actor_start_failed", actor=name)
            return
        finally:
            self._starting -= 1
        self._demand.started(time.monotonic() - started)
        self._handles[name] = handle
        self._counts["created"] += 1
        self._tasks.spawn(self._notify_ready())

    async def _launch(self, name: str) -> Any:
        return await launch_call_actor(self._config, name)

    def _shrink(self) -> None:
        """Retire one idle actor once free slots have exceeded the target by a whole actor
        for a while (`pool_sizing`): slowly, so the next burst still finds its slots."""
        if not self._demand.surplus_to_retire(self._free_slots(), self._per_actor):
            return
        idle = [name for name in self._handles if self._load[name] == 0]
        if idle:
            self._retire(max(idle, key=self._uses.__getitem__))  # the most worn goes first
            self._counts["shrunk"] += 1

    def _retire(self, name: str) -> None:
        self._forget(name)
        self._counts["retired"] += 1

    def _forget(self, name: str) -> None:
        """Drop the actor from the pool and kill it."""
        handle = self._handles.pop(name, None)
        self._uses.pop(name, None)
        self._load.pop(name, None)
        self._closed.discard(name)
        if handle is not None:
            self._kill(handle)

    def _kill(self, handle: Any) -> None:
        kill_quietly(handle)

    def _refuse(self, reason: str, forward_to: str | None) -> CallRefused:
        self._counts["refused"] += 1
        log.warning("call_refused", reason=reason, forwarded=forward_to is not None)
        message = FORWARD_MESSAGE if forward_to else BUSY_MESSAGE
        return CallRefused(reason=reason, message=message, forward_to=forward_to)

    # --- background: recovery, sizing, reaping ---------------------------------------------

    def _start_background(self) -> None:
        loop = asyncio.get_running_loop()
        if self._recovery is None:
            self._recovery = loop.create_task(self._recover())
        if self._reaper is None or self._reaper.done():
            self._reaper = loop.create_task(self._reap_loop())
            self._sizer = loop.create_task(self._size_loop())
            self._refill()

    async def _ready_to_serve(self) -> None:
        self._start_background()
        await self._recovered.wait()

    async def _recover(self) -> None:
        """Adopt the actors and calls a previous incarnation of this pool left running."""
        try:
            adopted = await self._adopt()
        except Exception:
            log.exception("call_pool_recovery_failed")
            adopted = []
        for actor in adopted:
            self._handles[actor.name] = actor.handle
            self._uses[actor.name] = max(actor.uses, len(actor.calls))
            self._load[actor.name] = len(actor.calls)
            for call_sid, company_id in actor.calls.items():
                self._add_call(ActiveCall(call_sid, company_id, actor.name, time.time()))
        self._counts["adopted"] += len(adopted)
        self._recovered.set()
        self._refill()
        await self._notify_ready()

    async def _adopt(self) -> list[AdoptedActor]:
        return await adopt_actors(self._config.namespace, self._prefix, self._directory)

    def _own_name(self) -> str | None:
        return ray.get_runtime_context().get_actor_name()  # type: ignore[no-any-return]

    async def _size_loop(self) -> None:
        """Follow demand between claims: grow (a raised target), shrink (a lasting surplus)."""
        while True:
            await asyncio.sleep(self._config.size_interval_s)
            self._shrink()
            self._refill()


def ensure_pool(
    settings: Settings,
    *,
    config: PoolConfig | None = None,
    name: str | None = None,
    detached: bool = True,
) -> Any:
    """The named call pool, created on first use and found by name afterwards.

    Detached by default, so the pool outlives the process that happened to create it
    (a Serve replica, `make run`); tests pass `detached=False`. The config only applies
    when this call creates the pool.
    """
    config = config or PoolConfig.from_settings(settings)
    name = name or settings.call_pool_name
    options: dict[str, Any] = {"name": name, "namespace": config.namespace, "get_if_exists": True}
    if detached:
        options["lifetime"] = "detached"
    return CallPool.options(**options).remote(config)  # type: ignore[attr-defined]
