"""One agent answer being spoken while it is still being written.

Twilio downloads a `<Play>` file whole before playing it, so a long answer goes out in
pieces: the first webhook returns the first sentence as soon as its audio is ready, and
each "continue" webhook takes whatever sentences are ready next. Sentences are
synthesized concurrently as the model writes them and handed out in order; the final
`TurnOutcome` comes out last, only after the turn was recorded and checkpointed. When the
model has already written the whole answer by the time its first sentence is ready (a
fast model, a short answer), `take` waits for the rest and the finish instead, so the
turn goes out in one webhook with its final action and no "continue" round trip.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Callable, Coroutine
from typing import Any

from runtime.actors.speech import RenderedSentence
from runtime.conversation import AgentTurn, TurnOutcome

Render = Callable[[str], Coroutine[Any, Any, RenderedSentence]]
# Called once with the outcome and every sentence of the answer, rendered, in order.
Finish = Callable[[TurnOutcome, list[RenderedSentence]], Coroutine[Any, Any, None]]
_Item = asyncio.Task[RenderedSentence] | TurnOutcome


class AnswerStream:
    def __init__(self, turn: AgentTurn, render: Render, finish: Finish) -> None:
        self._items: deque[_Item] = deque()
        self._changed = asyncio.Event()
        self._error: BaseException | None = None
        self._written = False  # the model has written every sentence of the answer
        self._producer = asyncio.create_task(self._produce(turn, render, finish))
        self._producer.add_done_callback(self._on_producer_done)

    @property
    def finished(self) -> bool:
        """True once the answer is complete (or failed) and nothing is left to hand out."""
        return self._producer.done() and not self._items

    async def take(self, wait_s: float) -> tuple[list[RenderedSentence], TurnOutcome | None]:
        """The ready sentences in order (at least one, or the outcome), waiting up to `wait_s`.

        Returns `([], None)` when nothing became ready in time; the outcome is returned
        (second element) only together with the last sentences of the answer.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait_s
        while not self._head_ready():
            if self._error is not None:
                raise self._error
            self._changed.clear()
            remaining = deadline - loop.time()
            if remaining <= 0:
                return [], None
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(remaining):
                    await self._changed.wait()
        if self._written and not self._producer.done():  # only audio and the finish left
            remaining = deadline - loop.time()
            if remaining > 0:
                await asyncio.wait({self._producer}, timeout=remaining)
        return self._pop_ready()

    async def take_all(self) -> tuple[list[RenderedSentence], TurnOutcome]:
        """Every sentence and the outcome (for answers known in full from the start)."""
        await asyncio.wait({self._producer})
        if self._error is not None:
            raise self._error
        utterances, outcome = self._pop_ready()
        if outcome is None:  # cannot happen: a finished producer appended its outcome
            raise RuntimeError("the answer finished without an outcome")
        return utterances, outcome

    async def wait_finished(self) -> None:
        """Let the answer run to its end (its turn is then recorded and checkpointed)."""
        await asyncio.wait({self._producer})

    async def cancel(self) -> None:
        """The call is over: stop writing and synthesizing."""
        self._producer.cancel()
        for item in self._items:
            if isinstance(item, asyncio.Task):
                item.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self._producer
        self._items.clear()

    # --- internals -----------------------------------------------------------------------

    async def _produce(self, turn: AgentTurn, render: Render, finish: Finish) -> None:
        rendering: list[asyncio.Task[RenderedSentence]] = []
        async for sentence in turn.sentences():
            task = asyncio.create_task(render(sentence))
            task.add_done_callback(lambda _: self._changed.set())
            rendering.append(task)
            self._push(task)
        self._written = True
        self._changed.set()
        if rendering:
            await asyncio.wait(rendering)
        await finish(turn.outcome, [task.result() for task in rendering])
        self._push(turn.outcome)

    def _push(self, item: _Item) -> None:
        self._items.append(item)
        self._changed.set()

    def _on_producer_done(self, task: asyncio.Task[None]) -> None:
        if not task.cancelled() and task.exception() is not None:
            self._error = task.exception()
        self._changed.set()

    def _head_ready(self) -> bool:
        if not self._items:
            return False
        head = self._items[0]
        return not isinstance(head, asyncio.Task) or head.done()

    def _pop_ready(self) -> tuple[list[RenderedSentence], TurnOutcome | None]:
        sentences: list[RenderedSentence] = []
        while self._head_ready():
            item = self._items.popleft()
            if isinstance(item, TurnOutcome):
                return sentences, item
            sentences.append(item.result())
        return sentences, None
