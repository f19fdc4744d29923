"""Gemini as the agent's language model, through `google-genai` (`client.aio`).

Request shaping is a pure function (`build_gemini_request`) so it can be checked against the
SDK's own pydantic types without a network; `GeminiLanguageModel` only sends and translates.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from itertools import groupby
from typing import Any

from google import genai
from google.genai import types

from runtime.providers.base import (
    ChatMessage,
    LlmEvent,
    LlmRequest,
    ProviderError,
    TextDelta,
    ToolCall,
)

_ROLES: dict[str, str] = {"caller": "user", "agent": "model"}

# 2.5 Pro cannot switch thinking off; 128 tokens is its smallest budget.
_MIN_THINKING_BUDGET: dict[str, int] = {"gemini-2.5-pro": 128}


def thinking_config_for(model: str) -> types.ThinkingConfig | None:
    """Turn thinking down for time to first token: a level on 3.x, a budget on 2.5."""
    name = model.removeprefix("models/")
    if name.startswith("gemini-2.5"):
        budget = next((b for m, b in _MIN_THINKING_BUDGET.items() if name.startswith(m)), 0)
        return types.ThinkingConfig(thinking_budget=budget)
    if name.startswith("gemini-3"):
        return types.ThinkingConfig(thinking_level=types.ThinkingLevel.MINIMAL)
    return None  # older models do not think; sending a config would be rejected


def contents_from_history(history: Iterable[ChatMessage]) -> list[types.Content]:
    """Caller → "user", agent → "model"; consecutive turns of one role share a Content."""
    return [
        types.Content(role=_ROLES[role], parts=[types.Part(text=m.text) for m in messages])
        for role, messages in groupby(history, key=lambda m: m.role)
    ]


def build_gemini_request(request: LlmRequest) -> dict[str, Any]:
    """Keyword arguments for `client.aio.models.generate_content_stream`."""
    if not request.history:
        raise ValueError("a Gemini request needs at least one message in the history")
    tools: types.ToolListUnion | None = None
    if request.tools:
        declarations = [
            types.FunctionDeclaration(
                name=tool.name,
                description=tool.description,
                parameters_json_schema=tool.parameters or {"type": "object", "properties": {}},
            )
            for tool in request.tools
        ]
        tools = [types.Tool(function_declarations=declarations)]
    config = types.GenerateContentConfig(
        system_instruction=request.system_prompt or None,
        tools=tools,
        thinking_config=thinking_config_for(request.model),
        temperature=request.temperature,
        max_output_tokens=request.max_output_tokens,
        # The runtime executes tools itself (book, transfer...): never let the SDK call them.
        automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True),
    )
    return {
        "model": request.model,
        "contents": contents_from_history(request.history),
        "config": config,
    }


def events_from_chunk(chunk: types.GenerateContentResponse) -> Iterable[LlmEvent]:
    """Text parts become deltas, function calls become tool calls; thoughts are dropped."""
    for candidate in chunk.candidates or ():
        parts = candidate.content.parts if candidate.content else None
        for part in parts or ():
            if part.function_call is not None and part.function_call.name:
                yield ToolCall(
                    name=part.function_call.name, arguments=dict(part.function_call.args or {})
                )
            elif part.text and not part.thought:
                yield TextDelta(part.text)
        break  # one candidate is requested; ignore any others


class GeminiLanguageModel:
    """`LanguageModel` backed by Gemini; every SDK or network failure is a `ProviderError`."""

    def __init__(self, api_key: str, *, client: Any = None) -> None:
        self._client = client if client is not None else genai.Client(api_key=api_key)

    async def stream(self, request: LlmRequest) -> AsyncIterator[LlmEvent]:
        try:
            kwargs = build_gemini_request(request)
            chunks = await self._client.aio.models.generate_content_stream(**kwargs)
            async for chunk in chunks:
                for event in events_from_chunk(chunk):
                    yield event
        except ProviderError:
            raise
        except Exception as exc:  # SDK, HTTP and validation errors all mean "fall back"
            raise ProviderError(
                f"Gemini {request.model} failed: {type(exc).__name__}: {exc}"
            ) from exc
