"""Running the language model for one turn inside a time budget, sentence by sentence.

The model is read by a background task that pushes finished sentences into a queue, so
time the caller's side spends speaking the first sentence does not count against the
model, and a model that hangs is cancelled at its deadline instead of stalling the call.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from runtime.conversation.sentences import SentenceSplitter
from runtime.providers.base import LanguageModel, LlmRequest, ProviderError, TextDelta, ToolCall


@dataclass(frozen=True)
class TurnBudget:
    """How long one turn may wait for the language model before falling back."""

    first_token_s: float = 2.5  # request sent → first text or tool call
    total_s: float = 6.0  # request sent → answer complete (Twilio allows 15 s per webhook)
    close_s: float = 0.2  # grace for closing an abandoned model stream


@dataclass
class LlmResult:
    """What the model did, known once its stream ended (or was cut off)."""

    sentences: list[str] = field(default_factory=list)
    tool_call: ToolCall | None = None
    first_token_ms: float | None = None
    total_ms: float = 0.0
    failure: str | None = None  # why the model's answer cannot be used as is


async def stream_llm(
    llm: LanguageModel, request: LlmRequest, budget: TurnBudget
) -> AsyncIterator[str | LlmResult]:
    """Yield each sentence as soon as it is complete, then the `LlmResult`."""
    queue: asyncio.Queue[str | LlmResult] = asyncio.Queue()
    task = asyncio.create_task(_read_model(llm, request, budget, queue))
    try:
        while True:
            item = await queue.get()
            yield item
            if isinstance(item, LlmResult):
                return
    finally:
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def _read_model(
    llm: LanguageModel,
    request: LlmRequest,
    budget: TurnBudget,
    queue: asyncio.Queue[str | LlmResult],
) -> None:
    started = time.perf_counter()
    result = LlmResult()
    splitter = SentenceSplitter()
    stream: AsyncIterator[TextDelta | ToolCall] | None = None
    try:
        async with asyncio.timeout(budget.total_s):
            first_token_deadline = asyncio.get_running_loop().time() + budget.first_token_s
            stream = llm.stream(request)
            while True:
                if result.first_token_ms is None:
                    async with asyncio.timeout_at(first_token_deadline):
                        event = await anext(stream, None)
                else:
                    event = await anext(stream, None)
                if event is None:
                    break
                if result.first_token_ms is None and _is_token(event):
                    result.first_token_ms = _ms_since(started)
                if isinstance(event, ToolCall):
                    result.tool_call = event  # the model hands over: ignore what follows
                    break
                for sentence in splitter.feed(event.text):
                    result.sentences.append(sentence)
                    queue.put_nowait(sentence)
        for sentence in splitter.flush():
            result.sentences.append(sentence)
            queue.put_nowait(sentence)
    except TimeoutError:
        result.failure = ("llm_first_token_timeout" if result.first_token_ms is None
                          else "llm_total_timeout")
    except ProviderError as exc:
        result.failure = f"llm_provider_error: {exc}"
    except Exception as exc:  # any model failure must become a fallback, never a dead call
        result.failure = f"llm_error: {type(exc).__name__}: {exc}"
    finally:
        if stream is not None:
            await _close(stream, budget.close_s)
    if result.failure is None and not result.sentences and result.tool_call is None:
        result.failure = "llm_empty_answer"
    result.total_ms = _ms_since(started)
    queue.put_nowait(result)


def _is_token(event: TextDelta | ToolCall) -> bool:
    return isinstance(event, ToolCall) or bool(event.text.strip())


async def _close(stream: AsyncIterator[TextDelta | ToolCall], grace_s: float) -> None:
    closer = getattr(stream, "aclose", None)
    if closer is None:
        return
    with contextlib.suppress(Exception):
        async with asyncio.timeout(grace_s):
            await closer()


def _ms_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000.0, 3)
