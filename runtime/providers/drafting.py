"""Text a language model drafts for people to read later (call summaries, proposed
answers), as opposed to words spoken on a call.

A draft is optional by nature: whatever goes wrong (no model configured, an error, a tool
call instead of text, nothing said, too slow) gives None and the caller keeps its offline
text. Nothing here ever raises into the code that asked.
"""

from __future__ import annotations

import asyncio

import structlog

from runtime.providers.base import LanguageModel, LlmRequest, TextDelta

log = structlog.get_logger(__name__)

DRAFT_TIMEOUT_S = 8.0  # a draft nobody waits for on a call; bounded all the same


async def _collect(model: LanguageModel, request: LlmRequest) -> str | None:
    parts: list[str] = []
    async for event in model.stream(request):
        if not isinstance(event, TextDelta):
            return None  # a tool call is not a draft
        parts.append(event.text)
    return " ".join("".join(parts).split()) or None


async def draft_text(model: LanguageModel | None, request: LlmRequest,
                     timeout_s: float = DRAFT_TIMEOUT_S) -> str | None:
    """The model's text for `request`, on one line; None when there is none to use."""
    if model is None:
        return None
    try:
        return await asyncio.wait_for(_collect(model, request), timeout_s)
    except Exception as exc:  # provider errors, timeouts, SDK surprises: all mean "no draft"
        log.warning("draft_failed", model=request.model, error=type(exc).__name__)
        return None
