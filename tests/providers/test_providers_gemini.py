"""Gemini request shaping and streaming, checked against google-genai's own types, offline."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from google import genai
from google.genai import errors, types

from runtime.providers.base import (
    ChatMessage,
    LlmRequest,
    ProviderError,
    TextDelta,
    ToolCall,
    ToolSpec,
)
from runtime.providers.gemini import GeminiLanguageModel, build_gemini_request, thinking_config_for

BOOK = ToolSpec(
    name="book_appointment",
    description="Book a service visit.",
    parameters={
        "type": "object",
        "properties": {"service": {"type": "string"}, "when": {"type": "string"}},
        "required": ["service"],
    },
)


def furnace_call(model: str = "gemini-2.5-flash", tools: tuple[ToolSpec, ...] = ()) -> LlmRequest:
    return LlmRequest(
        model=model,
        system_prompt="You answer the phone for Acme Heating.",
        history=(
            ChatMessage("agent", "Thanks for calling Acme Heating, how can I help?"),
            ChatMessage("caller", "My furnace stopped."),
            ChatMessage("caller", "It's blowing cold air."),
            ChatMessage("agent", "Sorry to hear that."),
            ChatMessage("caller", "Can someone come today?"),
        ),
        tools=tools,
        temperature=0.2,
        max_output_tokens=128,
    )


def test_history_maps_roles_and_merges_consecutive_turns() -> None:
    contents = build_gemini_request(furnace_call())["contents"]

    assert [c.role for c in contents] == ["model", "user", "model", "user"]
    assert [p.text for p in contents[1].parts] == ["My furnace stopped.", "It's blowing cold air."]
    for content in contents:  # what the SDK would send survives its own validation
        assert types.Content.model_validate(content.model_dump()) == content


def test_config_carries_prompt_sampling_and_tools() -> None:
    kwargs = build_gemini_request(furnace_call(tools=(BOOK,)))
    config = kwargs["config"]

    assert kwargs["model"] == "gemini-2.5-flash"
    assert isinstance(config, types.GenerateContentConfig)
    assert config.system_instruction == "You answer the phone for Acme Heating."
    assert config.temperature == 0.2
    assert config.max_output_tokens == 128
    assert config.automatic_function_calling is not None
    assert config.automatic_function_calling.disable is True
    assert config.tools is not None
    (tool,) = config.tools
    assert isinstance(tool, types.Tool) and tool.function_declarations is not None
    (declaration,) = tool.function_declarations
    assert types.FunctionDeclaration.model_validate(declaration.model_dump()) == declaration
    assert declaration.name == "book_appointment"
    assert declaration.parameters_json_schema == BOOK.parameters
    assert types.GenerateContentConfig.model_validate(config.model_dump()) == config


def test_no_tools_sends_no_tools() -> None:
    assert build_gemini_request(furnace_call())["config"].tools is None


@pytest.mark.parametrize(
    ("model", "budget", "level"),
    [
        ("gemini-2.5-flash", 0, None),
        ("gemini-2.5-flash-lite", 0, None),
        ("gemini-2.5-pro", 128, None),  # Pro cannot turn thinking off; 128 is its floor
        ("gemini-3-flash", None, types.ThinkingLevel.MINIMAL),
        ("models/gemini-3-pro-preview", None, types.ThinkingLevel.MINIMAL),
    ],
)
def test_thinking_is_turned_down(model: str, budget: int | None, level: Any) -> None:
    config = build_gemini_request(furnace_call(model=model))["config"]
    assert config.thinking_config.thinking_budget == budget
    assert config.thinking_config.thinking_level == level


def test_models_without_thinking_get_no_thinking_config() -> None:
    assert thinking_config_for("gemini-2.0-flash") is None


def test_empty_history_is_refused() -> None:
    with pytest.raises(ValueError):
        build_gemini_request(LlmRequest(model="gemini-2.5-flash", system_prompt="", history=()))


def chunk(*parts: dict[str, Any]) -> types.GenerateContentResponse:
    """A streamed chunk as the API's JSON would deserialize."""
    return types.GenerateContentResponse.model_validate(
        {"candidates": [{"content": {"role": "model", "parts": list(parts)}}]}
    )


class FakeModels:
    def __init__(self, chunks: list[Any], fail_with: Exception | None = None) -> None:
        self.chunks = chunks
        self.fail_with = fail_with
        self.calls: list[dict[str, Any]] = []

    async def generate_content_stream(self, **kwargs: Any) -> AsyncIterator[Any]:
        self.calls.append(kwargs)
        if self.fail_with is not None:
            raise self.fail_with

        async def chunks() -> AsyncIterator[Any]:
            for item in self.chunks:
                if isinstance(item, Exception):
                    raise item
                yield item

        return chunks()


class FakeClient:
    def __init__(self, models: FakeModels) -> None:
        self.aio = type("Aio", (), {"models": models})()


async def collect(model: GeminiLanguageModel, request: LlmRequest) -> list[Any]:
    return [event async for event in model.stream(request)]


async def test_stream_yields_text_and_tool_calls_and_skips_thoughts() -> None:
    models = FakeModels(
        [
            chunk({"text": "Let me think", "thought": True}),
            chunk({"text": "We can "}),
            chunk({"text": "come today. "}),
            chunk({"function_call": {"name": "book_appointment", "args": {"service": "furnace"}}}),
            types.GenerateContentResponse(),  # a chunk with no candidates (usage only)
        ]
    )
    llm = GeminiLanguageModel("unused", client=FakeClient(models))
    request = furnace_call(tools=(BOOK,))

    events = await collect(llm, request)

    assert events == [
        TextDelta("We can "),
        TextDelta("come today. "),
        ToolCall("book_appointment", {"service": "furnace"}),
    ]
    (sent,) = models.calls
    assert sent == build_gemini_request(request)


@pytest.mark.parametrize(
    "failure",
    [
        errors.ClientError(
            429, {"error": {"code": 429, "message": "quota", "status": "RESOURCE_EXHAUSTED"}}
        ),
        errors.ServerError(
            503, {"error": {"code": 503, "message": "overloaded", "status": "UNAVAILABLE"}}
        ),
        httpx.ConnectError("connection refused"),
    ],
)
async def test_sdk_and_network_failures_become_provider_errors(failure: Exception) -> None:
    llm = GeminiLanguageModel("unused", client=FakeClient(FakeModels([], fail_with=failure)))
    with pytest.raises(ProviderError) as raised:
        await collect(llm, furnace_call())
    assert raised.value.__cause__ is failure


async def test_failure_mid_stream_becomes_provider_error_after_the_text_so_far() -> None:
    models = FakeModels([chunk({"text": "We can "}), httpx.ReadTimeout("stalled")])
    llm = GeminiLanguageModel("unused", client=FakeClient(models))
    seen: list[Any] = []
    with pytest.raises(ProviderError):
        async for event in llm.stream(furnace_call()):
            seen.append(event)
    assert seen == [TextDelta("We can ")]


def test_real_client_is_built_without_touching_the_network() -> None:
    llm = GeminiLanguageModel("test-key-not-real")
    assert isinstance(llm._client, genai.Client)
