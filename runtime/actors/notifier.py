"""Notifier: the Ray actor that drains the notification outbox (one per cluster).

Like the LogSink it is detached, restarted by Ray when it dies (`max_restarts=-1`), and
keeps nothing Redis does not hold: a restarted notifier goes through its unacknowledged
entries first and the records say which were already sent.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import ray

from runtime.actors.pool import CALL_NAMESPACE
from runtime.actors.ray_options import ACTOR_OPTIONS
from runtime.notifications.factory import build_drain
from runtime.redis_client import redis_client
from runtime.settings import Settings
from tenancy.registry import CompanyRegistry
from tenancy.secrets import SecretBox

NOTIFIER_NAME = "clientsvia-notifier"


@ray.remote(**ACTOR_OPTIONS, max_restarts=-1)
class Notifier:
    def __init__(self, settings: dict[str, Any]) -> None:
        config = Settings.from_deployment(settings)
        redis = redis_client(config.redis_url)
        registry = CompanyRegistry(redis, SecretBox(
            config.clientsvia_secret_key.get_secret_value()))
        self._drain = build_drain(config, redis, registry)
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        with contextlib.suppress(RuntimeError):  # async actors run __init__ in their loop
            self._task = asyncio.get_running_loop().create_task(self._drain.run(self._stop))

    async def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


def ensure_notifier(settings: Settings) -> Any:
    """The deployment's Notifier, created on first call and found by name afterwards."""
    return Notifier.options(  # type: ignore[attr-defined]
        name=NOTIFIER_NAME, namespace=CALL_NAMESPACE, get_if_exists=True, lifetime="detached",
    ).remote(settings.for_deployment())
