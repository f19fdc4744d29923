"""The offline doubles: deterministic answers and audio, injected failures, recorded requests."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from runtime.providers.audio import FRAME_BYTES, MULAW_SILENCE
from runtime.providers.base import (
    ChatMessage,
    LlmRequest,
    ProviderError,
    TextDelta,
    ToolCall,
    VoiceRequest,
)
from runtime.providers.doubles import (
    LOAD_PROFILES,
    ScriptedLanguageModel,
    ScriptRule,
    SyntheticSpeech,
    caller_topic,
    synthetic_ulaw,
)


def call(*caller_lines: str, system_prompt: str = "You answer for Acme HVAC.") -> LlmRequest:
    history = tuple(ChatMessage("caller", line) for line in caller_lines)
    return LlmRequest(model="gemini-2.5-flash", system_prompt=system_prompt, history=history)


async def events(llm: ScriptedLanguageModel, request: LlmRequest) -> list[Any]:
    return [event async for event in llm.stream(request)]


def text_of(stream_events: list[Any]) -> str:
    return "".join(e.text for e in stream_events if isinstance(e, TextDelta))


async def test_default_answer_mentions_the_callers_topic() -> None:
    answer = text_of(
        await events(ScriptedLanguageModel(), call("My furnace is making a loud noise"))
    )
    assert "furnace making loud noise" in answer
    assert answer.endswith("?")


def test_topic_drops_filler_words() -> None:
    assert caller_topic("Hi, um, I need someone to fix my leaking water heater please") == (
        "someone fix leaking water heater"
    )
    assert caller_topic("hello?") == ""


async def test_rules_answer_the_last_caller_line_with_text_and_tool_calls() -> None:
    book = ToolCall("book_appointment", {"service": "ac repair"})
    llm = ScriptedLanguageModel(
        [
            ScriptRule(r"\bbook|schedule\b", reply="Booking that now.", tool_call=book),
            ScriptRule(r"hours", reply="We are open 8 to 5."),
        ]
    )

    booked = await events(llm, call("What are your hours?", "Can you schedule AC repair?"))
    hours = await events(llm, call("What are your HOURS?"))

    assert text_of(booked) == "Booking that now."
    assert booked[-1] == book
    assert text_of(hours) == "We are open 8 to 5."
    assert not any(isinstance(e, ToolCall) for e in hours)


async def test_text_streams_as_word_tokens() -> None:
    llm = ScriptedLanguageModel([ScriptRule("hi", reply="Hello there, how can I help?")])
    tokens = await events(llm, call("hi"))
    assert [t.text for t in tokens] == ["Hello ", "there, ", "how ", "can ", "I ", "help?"]


async def test_requests_are_recorded_and_bounded() -> None:
    llm = ScriptedLanguageModel(max_recorded=2)
    for prompt in ("one", "two", "three"):
        await events(llm, call("hello", system_prompt=prompt))
    assert [r.system_prompt for r in llm.requests] == ["two", "three"]


async def test_error_mode_fails_at_the_seeded_rate() -> None:
    async def outcomes(seed: int) -> list[bool]:
        llm = ScriptedLanguageModel(failure="error", failure_rate=0.3, seed=seed)
        results = []
        for _ in range(200):
            try:
                await events(llm, call("hello"))
                results.append(True)
            except ProviderError:
                results.append(False)
        return results

    first, again = await outcomes(7), await outcomes(7)
    assert first == again  # deterministic for a seed
    assert 30 < first.count(False) < 90  # ~60 expected of 200


async def test_hang_mode_never_answers() -> None:
    llm = ScriptedLanguageModel(failure="hang")
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.05):
            await events(llm, call("hello"))


def test_unknown_failure_mode_is_refused() -> None:
    with pytest.raises(ValueError):
        ScriptedLanguageModel(failure="sometimes")  # type: ignore[arg-type]


def test_profiles() -> None:
    assert LOAD_PROFILES["zero"].llm_first_token_s == 0
    realistic = LOAD_PROFILES["realistic"]
    assert (realistic.llm_first_token_s, realistic.llm_tokens_per_s) == (0.375, 50.0)
    assert realistic.tts_first_byte_s == 0.1


def test_synthetic_audio_is_deterministic_and_scales_with_text() -> None:
    short, long = synthetic_ulaw("Hello."), synthetic_ulaw("Hello. " * 15)
    assert synthetic_ulaw("Hello.") == short
    assert synthetic_ulaw("Jello.") != short
    assert len(long) % FRAME_BYTES == 0
    # ~15 characters per second of speech, 8000 bytes per second
    assert len(long) == pytest.approx(len("Hello. " * 15) / 15 * 8000, abs=FRAME_BYTES)
    assert synthetic_ulaw("") == b""
    assert set(synthetic_ulaw("   ")) == {MULAW_SILENCE}
    assert len(set(short)) > 10  # voiced frames, not a constant


async def test_speech_streams_grouped_frames_and_records_the_voice() -> None:
    tts = SyntheticSpeech(frames_per_chunk=5)
    voice = VoiceRequest("CompanyVoice01", api_key="sk_company")
    text = "Thanks for calling Acme Heating, how can I help you today?"

    chunks = [chunk async for chunk in tts.stream(text, voice)]

    assert b"".join(chunks) == synthetic_ulaw(text, voice_id=voice.voice_id)
    other_voice = synthetic_ulaw(text, voice_id="AnotherVoice99")
    assert other_voice != synthetic_ulaw(text, voice_id=voice.voice_id)
    assert all(len(c) == 5 * FRAME_BYTES for c in chunks[:-1])
    assert 0 < len(chunks[-1]) <= 5 * FRAME_BYTES
    assert tts.requests == [(text, voice)]


async def test_speech_error_mode_raises_provider_error() -> None:
    tts = SyntheticSpeech(failure="error")
    with pytest.raises(ProviderError):
        [chunk async for chunk in tts.stream("Hello", VoiceRequest("v"))]


async def test_voice_catalog_double_searches_by_name() -> None:
    tts = SyntheticSpeech()
    assert [v["name"] for v in await tts.list_voices(None, "bro")] == ["Brooks"]
    assert len(await tts.list_voices(None)) == 3
