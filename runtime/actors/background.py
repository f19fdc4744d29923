"""Fire-and-forget work an actor starts off a caller's path (kept referenced until done)."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any


class BackgroundTasks:
    """asyncio keeps only weak references to tasks: one not held here could vanish mid-run."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, work: Coroutine[Any, Any, object]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def __len__(self) -> int:
        return len(self._tasks)

    async def settle(self) -> None:
        """Wait for what is running now (shutdown, tests); failures stay the tasks' own."""
        await asyncio.gather(*self._tasks, return_exceptions=True)
