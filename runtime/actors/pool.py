"""`CallPool`: the warm pool of idle call actors, admission control and the stale-call reaper.

Starting a call actor takes most of a second, so `warm_pool_size` idle actors are
started ahead of time, in the background, and a claim hands one out at once. An actor
goes back to the pool after its call ends and retires after `actor_max_uses` calls.
When the platform is at `max_concurrent_calls`, or no actor is ready within a few tens of
milliseconds, the call is refused with a `CallRefused` (forward or apologise) rather than
left in silence. Actors are named, so any Serve replica finds them with `ray.get_actor`.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections import Counter, deque
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

import ray
import redis.asyncio as aioredis
import structlog

from runtime.actors.call_actor import CallActor, CallActorOptions
from runtime.actors.call_session import CallNotHeld
from runtime.actors.directory import CallDirectory
from runtime.actors.messages import CallRefused, CallSetup, PoolStats
from runtime.settings import Settings

log = structlog.get_logger(__name__)


CALL_NAMESPACE = "clientsvia"
REAPED_STATUS = "reaped"  # the call status a reaped call ends with (outcome: abandoned)
BUSY_MESSAGE = "We're sorry, all of our lines are busy right now. Please call back shortly."
FORWARD_MESSAGE = "Please hold while we connect your call."


@dataclass(frozen=True)
class PoolConfig:
    settings: dict[str, Any]  # Settings.for_deployment(): what every CallActor is built from
    warm_pool_size: int = 4  # idle actors kept ready
    max_concurrent_calls: int = 300  # active calls beyond which new calls are refused
    actor_max_uses: int = 200  # calls an actor serves before it is retired and replaced
    namespace: str = CALL_NAMESPACE  # Ray namespace of the pool and its call actors
    actor_prefix: str = "call-actor"
    detached_actors: bool = False  # call actors share the pool's fate unless set
    claim_wait_s: float = 0.05  # a new call may wait this long for an actor about to be ready
    # ...except before the pool's first actor is ready (just deployed): better a slow first
    # greeting than refusing the first calls. Deployments should `wait_warm` at startup.
    first_claim_wait_s: float = 10.0
    replace_wait_s: float = 5.0  # a live call whose actor died may wait for a cold start
    actor_start_timeout_s: float = 60.0
    idle_call_timeout_s: float = 15 * 60.0  # no webhook for this long: the call is reaped
    reap_interval_s: float = 30.0
    actor_options: CallActorOptions = field(default_factory=CallActorOptions)

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> PoolConfig:
        values: dict[str, Any] = {
            "warm_pool_size": settings.warm_pool_size,
            "max_concurrent_calls": settings.max_concurrent_calls,
            "actor_max_uses": settings.actor_max_uses,
        }
        return cls(settings=settings.for_deployment(), **{**values, **overrides})


@dataclass(frozen=True)
class ActiveCall:
    call_sid: str
    company_id: str
    claimed_at: float  # unix seconds


@ray.remote(num_cpus=0, max_restarts=-1)
class CallPool:
    def __init__(self, config: PoolConfig) -> None:
        self._config = config
        redis_url = Settings(**config.settings).redis_url
        self._directory = CallDirectory(aioredis.Redis.from_url(redis_url, decode_responses=True))
        self._handles: dict[str, Any] = {}  # every live actor of the pool, by name
        self._uses: Counter[str] = Counter()
        self._idle: deque[str] = deque()
        self._active: dict[str, ActiveCall] = {}  # actor name → its call
        self._replaced: dict[str, str] = {}  # dead actor name → its successor
        self._starting = 0
        self._ready = asyncio.Condition()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._counts: Counter[str] = Counter()
        self._reaper: asyncio.Task[None] | None = None
        with contextlib.suppress(RuntimeError):  # async actors run __init__ in their loop
            asyncio.get_running_loop()
            self._start_background()

    # --- calls -------------------------------------------------------------------------------

    async def claim(self, setup: CallSetup, forward_to: str | None = None) -> str | CallRefused:
        """An idle actor's name for a new call, or why the call cannot be taken now."""
        self._start_background()
        if len(self._active) >= self._config.max_concurrent_calls:
            return self._refuse("at_capacity", forward_to)
        cold = self._counts["created"] == 0
        wait_s = self._config.first_claim_wait_s if cold else self._config.claim_wait_s
        name = await self._take_idle(wait_s)
        if name is None:
            return self._refuse("no_idle_actor", forward_to)
        if len(self._active) >= self._config.max_concurrent_calls:  # filled while we waited
            self._return_idle(name)
            return self._refuse("at_capacity", forward_to)
        self._active[name] = ActiveCall(setup.call_sid, setup.company_id, time.time())
        return name

    async def release(self, actor_name: str) -> None:
        """The actor's call ended: back to the pool if it is clean, else (or when worn) retired."""
        self._active.pop(actor_name, None)
        handle = self._handles.get(actor_name)
        if handle is None:
            return
        self._uses[actor_name] += 1
        clean = False
        with contextlib.suppress(Exception):
            clean = (await handle.describe.remote())["call_sid"] is None
        if clean and self._uses[actor_name] < self._config.actor_max_uses:
            self._return_idle(actor_name)
        else:
            self._retire(actor_name)
        self._refill()

    async def replace(self, dead_actor: str, call_sid: str, company_id: str) -> str | None:
        """A fresh actor for a live call whose actor died (the caller then `restore`s it)."""
        successor = self._replaced.get(dead_actor)
        taken = self._active.get(successor) if successor is not None else None
        if successor is not None and taken is not None and taken.call_sid == call_sid:
            return successor  # another replica got here first
        self._active.pop(dead_actor, None)
        self._forget(dead_actor, kill=True)
        self._counts["replaced"] += 1
        name = await self._take_idle(self._config.replace_wait_s)
        if name is None:
            return None
        self._active[name] = ActiveCall(call_sid, company_id, time.time())
        self._replaced[dead_actor] = name
        while len(self._replaced) > 1000:
            self._replaced.pop(next(iter(self._replaced)))
        return name

    async def reap_now(self) -> int:
        """End every call with no webhook for `idle_call_timeout_s` as abandoned."""
        calls = list(self._active.items())
        if not calls:
            return 0
        entries = await self._directory.lookup_many([call.call_sid for _, call in calls])
        oldest = time.time() - self._config.idle_call_timeout_s
        stale = []
        for name, call in calls:
            entry = entries[call.call_sid]
            if (entry.last_seen if entry is not None else call.claimed_at) < oldest:
                stale.append((name, call))
        for name, call in stale:
            await self._reap(name, call)
        return len(stale)

    async def stats(self) -> PoolStats:
        return PoolStats(
            idle=len(self._idle), active=len(self._active), starting=self._starting,
            capacity=self._config.max_concurrent_calls, retired=self._counts["retired"],
            reaped=self._counts["reaped"], created=self._counts["created"],
            extra={key: self._counts[key] for key in ("refused", "replaced", "failed_starts")},
        )

    async def wait_warm(self, timeout_s: float = 60.0) -> bool:
        """Wait until the warm pool is full (startup scripts, tests)."""
        self._start_background()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        async with self._ready:
            while len(self._idle) < self._config.warm_pool_size:
                self._refill()
                remaining = deadline - loop.time()
                if remaining <= 0:
                    return False
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._ready.wait(), remaining)
        return True

    async def shutdown(self) -> None:
        """Kill every actor of the pool (tests, teardown)."""
        if self._reaper is not None:
            self._reaper.cancel()
        for name in list(self._handles):
            self._forget(name, kill=True)
        self._active.clear()

    # --- the warm pool -----------------------------------------------------------------------

    async def _take_idle(self, wait_s: float) -> str | None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait_s
        async with self._ready:
            while not self._idle:
                self._refill(demand=1)
                remaining = deadline - loop.time()
                if remaining <= 0:
                    return None
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._ready.wait(), remaining)
            name = self._idle.popleft()
        self._refill()
        return name

    def _return_idle(self, name: str) -> None:
        self._idle.append(name)
        self._spawn(self._notify_ready())

    async def _notify_ready(self) -> None:
        async with self._ready:
            self._ready.notify_all()

    def _refill(self, demand: int = 0) -> None:
        """Start actors in the background until idle + starting covers the warm size."""
        config = self._config
        wanted = config.warm_pool_size + demand - len(self._idle) - self._starting
        room = (config.max_concurrent_calls + config.warm_pool_size
                - len(self._handles) - self._starting)
        for _ in range(max(0, min(wanted, room))):
            self._starting += 1
            self._spawn(self._start_actor())

    async def _start_actor(self) -> None:
        config = self._config
        name = f"{config.actor_prefix}-{uuid.uuid4().hex[:16]}"
        options: dict[str, Any] = {"name": name, "namespace": config.namespace}
        if config.detached_actors:
            options["lifetime"] = "detached"
        handle = None
        try:
            handle = CallActor.options(**options).remote(  # type: ignore[attr-defined]
                config.settings, config.actor_options
            )
            await asyncio.wait_for(handle.ping.remote(), config.actor_start_timeout_s)
        except Exception:
            self._counts["failed_starts"] += 1
            log.exception("call_actor_start_failed", actor=name)
            if handle is not None:
                with contextlib.suppress(Exception):
                    ray.kill(handle, no_restart=True)
            return
        finally:
            self._starting -= 1
        self._handles[name] = handle
        self._counts["created"] += 1
        self._return_idle(name)

    def _retire(self, name: str) -> None:
        self._forget(name, kill=True)
        self._counts["retired"] += 1

    def _forget(self, name: str, *, kill: bool) -> None:
        handle = self._handles.pop(name, None)
        self._uses.pop(name, None)
        with contextlib.suppress(ValueError):
            self._idle.remove(name)
        if kill and handle is not None:
            with contextlib.suppress(Exception):
                ray.kill(handle, no_restart=True)

    def _refuse(self, reason: str, forward_to: str | None) -> CallRefused:
        self._counts["refused"] += 1
        log.warning("call_refused", reason=reason, forwarded=forward_to is not None)
        message = FORWARD_MESSAGE if forward_to else BUSY_MESSAGE
        return CallRefused(reason=reason, message=message, forward_to=forward_to)

    # --- the reaper --------------------------------------------------------------------------

    def _start_background(self) -> None:
        if self._reaper is None or self._reaper.done():
            self._reaper = asyncio.get_running_loop().create_task(self._reap_loop())
            self._refill()

    async def _reap_loop(self) -> None:
        while True:
            await asyncio.sleep(self._config.reap_interval_s)
            try:
                await self.reap_now()
            except Exception:
                log.exception("reaper_pass_failed")

    async def _reap(self, name: str, call: ActiveCall) -> None:
        handle = self._handles.get(name)
        if handle is not None:
            try:
                await asyncio.wait_for(
                    handle.end.remote(call.call_sid, REAPED_STATUS, None),
                    self._config.actor_start_timeout_s,
                )
            except CallNotHeld:
                pass
            except Exception:
                log.exception("reaped_call_not_ended", call_sid=call.call_sid)
        await self._directory.forget(call.call_sid)
        self._counts["reaped"] += 1
        log.info("call_reaped", call_sid=call.call_sid, actor=name)
        await self.release(name)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


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
