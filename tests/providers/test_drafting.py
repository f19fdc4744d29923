"""Drafted call summaries: the request Gemini gets (checked against google-genai's own
types, offline), and the extractive summary whenever the draft cannot be used."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

from google.genai import errors, types

from runtime.actors.call_record import CallRecord
from runtime.actors.call_summary import call_summary, drafted_summary, summary_request
from runtime.conversation import CallContext, CallerContact, ConversationState
from runtime.providers.base import LlmEvent, LlmRequest
from runtime.providers.drafting import draft_text
from runtime.providers.gemini import GeminiLanguageModel, build_gemini_request
from tests.providers.test_providers_gemini import FakeClient, FakeModels, chunk

EXTRACTIVE = "Dana Wu (+12395550142) called about \u201cleaking water heater\u201d. Left a message."


def _call() -> tuple[CallRecord, ConversationState, CallContext]:
    state = ConversationState.new()
    for role, text in (("agent", "Thanks for calling Atlas Air."),
                       ("caller", "my water heater is leaking"),
                       ("agent", "I can book a plumber. What time suits you?"),
                       ("caller", "tuesday morning")):
        state.add(role, text)
    state.slots["name"] = "Dana Wu"
    record = CallRecord(booked=True, booked_service="Water heater repair",
                        booked_for="2026-03-03T09:00:00-05:00")
    ctx = CallContext("CA" + "1" * 32, "+12395550142", "+12395550100",
                      datetime(2026, 3, 1, tzinfo=UTC), CallerContact("D. Wu", 2, None))
    return record, state, ctx


def test_the_live_call_summary_uses_the_name_given_and_the_booked_time() -> None:
    record, state, ctx = _call()
    assert call_summary(record, state, ctx, "completed") == (
        "Dana Wu (+12395550142) called about \u201cmy water heater is leaking\u201d."
        " Booked Water heater repair for Tue Mar 3, 9:00 AM.")


def test_the_summary_request_is_a_valid_gemini_request() -> None:
    _, state, _ = _call()
    request = summary_request("gemini-2.5-flash", "Atlas Air", state, EXTRACTIVE)
    kwargs = build_gemini_request(request)
    config: types.GenerateContentConfig = kwargs["config"]
    assert kwargs["model"] == "gemini-2.5-flash"
    assert "Atlas Air" in str(config.system_instruction)
    assert config.tools is None and config.temperature == 0.2
    assert config.thinking_config == types.ThinkingConfig(thinking_budget=0)
    [content] = kwargs["contents"]
    assert content.role == "user"
    text = content.parts[0].text
    assert "Caller: my water heater is leaking" in text
    assert "Agent: I can book a plumber." in text and EXTRACTIVE in text
    types.GenerateContentConfig.model_validate(config.model_dump())  # round-trips the SDK type


async def _summary_with(models: FakeModels) -> str:
    _, state, _ = _call()
    gemini = GeminiLanguageModel("unused", client=FakeClient(models))
    return await drafted_summary(gemini, "gemini-2.5-flash", "Atlas Air", state, EXTRACTIVE)


async def test_gemini_drafts_the_summary_when_it_answers() -> None:
    models = FakeModels([chunk({"text": "Dana Wu booked a water heater "}),
                         chunk({"text": "repair for Tuesday 9 AM."})])
    assert await _summary_with(models) == "Dana Wu booked a water heater repair for Tuesday 9 AM."
    assert len(models.calls) == 1


async def test_a_failing_or_off_script_gemini_leaves_the_extractive_summary() -> None:
    unavailable = errors.ServerError(503, {"error": {"message": "overloaded"}})
    assert await _summary_with(FakeModels([], fail_with=unavailable)) == EXTRACTIVE
    tool_call = chunk({"functionCall": {"name": "end_call", "args": {}}})
    assert await _summary_with(FakeModels([tool_call])) == EXTRACTIVE
    assert await _summary_with(FakeModels([chunk({"text": "   "})])) == EXTRACTIVE
    _, state, _ = _call()
    assert await drafted_summary(None, "m", "Atlas Air", state, EXTRACTIVE) == EXTRACTIVE


class _SilentModel:
    """Never says a word (a hung connection)."""

    async def stream(self, request: LlmRequest) -> AsyncIterator[LlmEvent]:
        await asyncio.Event().wait()
        yield  # type: ignore[misc]  # pragma: no cover


async def test_a_hung_model_gives_no_draft_within_its_bound() -> None:
    _, state, _ = _call()
    request = summary_request("gemini-2.5-flash", "Atlas Air", state, EXTRACTIVE)
    assert await draft_text(_SilentModel(), request, timeout_s=0.05) is None
