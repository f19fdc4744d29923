"""A language-model double, installed inside one live call actor, that writes its answer
only as far as the test lets it.

`install(actor_instance, gates)` (run through `actor.__ray_call__`) makes every answer of
that actor's process stop at fixed points until a gate file appears in `gates`:

- after the first word: the webhook is in flight, nothing can be spoken yet
  (`asked` marks that point);
- after each sentence: sentence n+1 waits for `go-{n}`.

So a test decides exactly how many webhooks an answer spans, and can kill the actor
with a webhook in flight or with an answer half-sent. `uninstall` puts the double back.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from runtime.providers.base import LlmRequest, TextDelta
from runtime.providers.doubles import ScriptedLanguageModel

_ORIGINAL = ScriptedLanguageModel.stream
POLL_S = 0.01
WAIT_S = 60.0  # ceilings on waiting, not timing assertions


def answer_sentences(model: ScriptedLanguageModel, request: LlmRequest) -> list[str]:
    reply, _ = model.answer(request)
    return re.split(r"(?<=[.!?])\s+", reply.strip())


async def _gate(path: Path) -> None:
    while not path.exists():
        await asyncio.sleep(POLL_S)


def install(_actor: Any, gates: str) -> bool:
    folder = Path(gates)

    async def gated(self: ScriptedLanguageModel, request: LlmRequest) -> AsyncIterator[Any]:
        first, *rest = answer_sentences(self, request)
        word, _, tail = first.partition(" ")
        yield TextDelta(word + " ")
        (folder / "asked").write_text(request.history[-1].text)
        await _gate(folder / "go-0")
        yield TextDelta(tail)
        for index, sentence in enumerate(rest, start=1):
            await _gate(folder / f"go-{index}")
            yield TextDelta(" " + sentence)

    ScriptedLanguageModel.stream = gated  # type: ignore[method-assign,assignment]
    return True


def uninstall(_actor: Any) -> bool:
    ScriptedLanguageModel.stream = _ORIGINAL  # type: ignore[method-assign]
    return True


def open_gate(gates: Path, index: int) -> None:
    (gates / f"go-{index}").write_text("")


async def wait_until_asked(gates: Path) -> None:
    """Poll until the gated model has been asked (the webhook is then in flight)."""
    deadline = time.monotonic() + WAIT_S
    while not (gates / "asked").exists():
        assert time.monotonic() < deadline, "the model was never asked"
        await asyncio.sleep(POLL_S)
