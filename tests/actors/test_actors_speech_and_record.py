"""Speech that degrades to <Say> instead of failing, and a call's outcome from its facts."""

from __future__ import annotations

import pytest
import redis.asyncio as aioredis

from runtime.actors.call_record import CallRecord, event_sentiment, event_tier
from runtime.actors.speech import SpeechRenderer
from runtime.providers.audio_store import AudioStore, SpeechCache
from runtime.providers.base import VoiceRequest
from runtime.providers.doubles import SyntheticSpeech

VOICE = VoiceRequest("SyntheticAvery01")


@pytest.fixture
async def audio_redis(redis_url: str):
    client = aioredis.Redis.from_url(redis_url)
    yield client
    await client.aclose()


def renderer(redis: aioredis.Redis, tts: SyntheticSpeech | None) -> SpeechRenderer:
    return SpeechRenderer(tts, AudioStore(redis), SpeechCache(redis), timeout_s=2.0)


async def test_a_greeting_is_synthesized_once_per_voice_and_text(audio_redis):
    tts = SyntheticSpeech()
    speech = renderer(audio_redis, tts)
    line = "Thanks for calling Atlas Air, a greeting only this test says."
    first = await speech.render(line, VOICE, cached=True)
    second = await speech.render(line, VOICE, cached=True)
    assert first.utterance.audio_token and second.utterance.audio_token
    assert first.utterance.audio_token != second.utterance.audio_token  # tokens are per use
    assert [text for text, _ in tts.requests] == [line]
    wav = await AudioStore(audio_redis).get(second.utterance.audio_token)
    assert wav is not None and wav[:4] == b"RIFF"


async def test_a_failing_synthesizer_leaves_the_text_for_say(audio_redis):
    speech = renderer(audio_redis, SyntheticSpeech(failure="error"))
    rendered = await speech.render("We open at eight.", VOICE)
    assert rendered.utterance.text == "We open at eight." and rendered.utterance.audio_token is None


async def test_no_synthesizer_or_no_voice_means_say(audio_redis):
    assert (await renderer(audio_redis, None).render("Hi.", VOICE)).utterance.audio_token is None
    no_voice = await renderer(audio_redis, SyntheticSpeech()).render("Hi.", None)
    assert no_voice.utterance.audio_token is None


@pytest.mark.parametrize(
    ("facts", "status", "outcome"),
    [
        ({"answered_by": "knowledge"}, "completed", "answered_knowledge"),
        ({"answered_by": "trade_knowledge"}, "completed", "answered_knowledge"),
        ({"answered_by": "llm"}, "completed", "answered_llm"),
        ({"answered_by": "llm", "transferred": True}, "completed", "transferred"),
        ({"transferred": True, "dial_failed": True}, "completed", "abandoned"),
        ({"transferred": True, "dial_failed": True, "message_taken": True}, "completed",
         "message_taken"),
        ({"answered_by": "knowledge"}, "reaped", "abandoned"),
        ({}, "completed", "abandoned"),
    ],
)
def test_a_call_outcome_follows_what_happened(facts, status, outcome):
    assert CallRecord(**facts).outcome(status) == outcome


def test_policy_tiers_map_onto_the_event_schema():
    assert event_tier("knowledge") == "knowledge"
    assert event_tier("offer") == "fallback"
    assert event_tier("silence") is None
    assert event_sentiment(None) == 0.0 and event_sentiment(0.75) == -0.75
