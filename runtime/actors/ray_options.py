"""The Ray options every actor of ours is declared with.

No CPU reservation: the actors wait on I/O most of the time and a node runs many of them.

No task events: Ray records every method call of an actor (its states and timings) and
sends it to the GCS for the dashboard's task views, `ray list tasks` and `ray.timeline`.
Nothing of ours reads them, and they cost CPU on both sides of every call (the Serve
replica and the call actor; docs/benchmarks.md). Serve declares its own actors the same
way. The actors still appear in the actor table (`ray list actors`, the dashboard's
actor view), and a call to a dead actor still raises `RayActorError`.
"""

from __future__ import annotations

from typing import Any

ACTOR_OPTIONS: dict[str, Any] = {"num_cpus": 0, "enable_task_events": False}
