"""How a call pool is configured, and what it knows of each active call.

Kept apart from the pool actor so the Serve layer and scripts can build a configuration
(and read the refusal messages) without loading the actor's machinery.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from runtime.actors.call_options import CallActorOptions
from runtime.settings import Settings

CALL_NAMESPACE = "clientsvia"
REAPED_STATUS = "reaped"  # the call status a reaped call ends with (outcome: abandoned)
BUSY_MESSAGE = "We're sorry, all of our lines are busy right now. Please call back shortly."
FORWARD_MESSAGE = "Please hold while we connect your call."


@dataclass(frozen=True)
class PoolConfig:
    settings: dict[str, Any]  # Settings.for_deployment(): what every CallActor is built from
    warm_pool_size: int = 4  # free call slots kept ready at rest (the sizing's floor)
    warm_pool_max: int = 100  # most free call slots kept ahead of a burst (its ceiling)
    max_concurrent_calls: int = 300  # active calls beyond which new calls are refused
    max_calls_per_company: int = 100  # one company's concurrent calls (it may set fewer)
    reserved_slots: int | None = None  # kept for tenants under their fair share (None: 10 %)
    actor_max_uses: int = 200  # calls an actor serves before it is retired and replaced
    namespace: str = CALL_NAMESPACE  # Ray namespace of the pool and its call actors
    actor_prefix: str = "call-actor"
    # Detached call actors outlive the pool's process: a restarted pool adopts them, and
    # their live calls never notice. The pool kills them when it retires them.
    detached_actors: bool = True
    claim_wait_s: float = 0.05  # a new call may wait this long for an actor about to be ready
    # ...except before the pool's first actor is ready (just deployed): better a slow first
    # greeting than refusing the first calls. Deployments should `wait_warm` at startup.
    first_claim_wait_s: float = 10.0
    replace_wait_s: float = 5.0  # a live call whose actor died may wait for a cold start
    actor_start_timeout_s: float = 60.0
    # Actors starting at once: each start is ~1.5 s of CPU, and a burst that started four
    # on two cores slowed the calls already live (and Ray starts two workers at a time).
    max_parallel_starts: int = 2
    idle_call_timeout_s: float = 15 * 60.0  # no webhook for this long: the call is reaped
    reap_interval_s: float = 30.0
    size_interval_s: float = 2.0  # how often the free-slot target is followed between claims
    actor_options: CallActorOptions = field(default_factory=CallActorOptions)

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> PoolConfig:
        values: dict[str, Any] = {
            "warm_pool_size": settings.warm_pool_size,
            "warm_pool_max": settings.warm_pool_max,
            "max_concurrent_calls": settings.max_concurrent_calls,
            "max_calls_per_company": settings.max_calls_per_company,
            "actor_max_uses": settings.actor_max_uses,
        }
        return cls(settings=settings.for_deployment(), **{**values, **overrides})


@dataclass(frozen=True)
class ActiveCall:
    call_sid: str
    company_id: str
    actor_name: str
    claimed_at: float  # unix seconds
