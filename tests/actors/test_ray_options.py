"""Every actor class of ours is declared with the shared options (no task events, no CPU)."""

from __future__ import annotations

import importlib
import pkgutil

import ray.actor

import runtime.actors
from runtime.actors.ray_options import ACTOR_OPTIONS


def _actor_classes() -> dict[str, ray.actor.ActorClass]:
    found = {}
    for module_info in pkgutil.iter_modules(runtime.actors.__path__):
        module = importlib.import_module(f"runtime.actors.{module_info.name}")
        for name, value in vars(module).items():
            if isinstance(value, ray.actor.ActorClass) and value.__module__ == module.__name__:
                found[name] = value
    return found


def test_our_actors_record_no_task_events_and_reserve_no_cpu() -> None:
    classes = _actor_classes()
    assert {"CallActor", "CallPool", "LogSink", "Notifier"} <= set(classes)
    for name, actor_class in classes.items():
        options = actor_class._default_options
        assert options.get("enable_task_events") is False, name
        assert options.get("num_cpus") == 0, name
        assert {key: options.get(key) for key in ACTOR_OPTIONS} == ACTOR_OPTIONS, name
