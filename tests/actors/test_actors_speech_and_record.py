"""Speech that degrades to <Say> instead of failing, and a call's outcome from its facts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import redis.asyncio as aioredis

from analytics.events import AppointmentBooked, parse_event
from runtime.actors.call_record import CallRecord, CallRecorder, event_sentiment, event_tier
from runtime.actors.messages import Utterance
from runtime.actors.speech import RenderedSentence, SpeechRenderer
from runtime.conversation import CallContext, Listen, Tier, TurnOutcome
from runtime.conversation.outcome import Appointment
from runtime.providers.audio import wav_duration_s
from runtime.providers.audio_store import (
    SPEECH_CACHE_KEY_PREFIX,
    AudioStore,
    SpeechCache,
    audio_url_key,
    is_audio_token,
    speech_cache_key,
)
from runtime.providers.base import VoiceRequest
from runtime.providers.doubles import SyntheticSpeech

VOICE = VoiceRequest("SyntheticAvery01")


class _Unreachable:
    """A Redis whose writes fail, as during a failover."""

    async def set(self, *args: object, **kwargs: object) -> None:
        raise ConnectionError("redis is unreachable")


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
    assert first.wav and first.wav == second.wav
    assert [text for text, _ in tts.requests] == [line]
    (one,), (two,) = await speech.publish([first]), await speech.publish([second])
    assert one.audio_token and two.audio_token and one.audio_token != two.audio_token
    wav = await AudioStore(audio_redis).get(two.audio_token)
    assert wav == second.wav and wav[:4] == b"RIFF"


async def test_a_process_keeps_its_most_recent_cached_phrases(audio_redis):
    cache, elsewhere = SpeechCache(audio_redis, kept=1), SpeechCache(audio_redis)
    greeting, hold = b"RIFF-greeting", b"RIFF-hold-line"
    await cache.put("Thanks for calling, a phrase kept.", VOICE, greeting)
    await audio_redis.delete(SPEECH_CACHE_KEY_PREFIX
                             + speech_cache_key("Thanks for calling, a phrase kept.", VOICE))
    assert await cache.get("Thanks for calling, a phrase kept.", VOICE) == greeting
    assert await elsewhere.get("Thanks for calling, a phrase kept.", VOICE) is None

    await elsewhere.put("One moment please, a phrase kept.", VOICE, hold)
    assert await cache.get("One moment please, a phrase kept.", VOICE) == hold  # from Redis
    assert await cache.get("Thanks for calling, a phrase kept.", VOICE) is None  # one kept


async def test_a_companys_greeting_keeps_its_url_and_no_other_company_shares_it(audio_redis):
    key = audio_url_key("a server secret")
    speech = SpeechRenderer(SyntheticSpeech(), AudioStore(audio_redis, url_key=key),
                            SpeechCache(audio_redis), timeout_s=2.0)
    line = "Thanks for calling Bayside Air, how can we help?"
    greeting = await speech.render(line, VOICE, cached=True)
    (first,), (again,) = [await speech.publish([greeting], "company-a") for _ in range(2)]
    (other,) = await speech.publish([greeting], "company-b")
    assert first.audio_token and first.audio_token == again.audio_token
    assert other.audio_token and other.audio_token != first.audio_token
    audio = AudioStore(audio_redis)
    assert await audio.get(first.audio_token) == await audio.get(other.audio_token) == greeting.wav
    assert is_audio_token(first.audio_token) and is_audio_token(other.audio_token)

    answer = await speech.render("We open at eight.", VOICE)
    (different,) = await speech.publish([answer], "company-a")
    assert different.audio_token not in (first.audio_token, None)
    another_key = AudioStore(audio_redis, url_key=audio_url_key("another secret"))
    assert another_key.token_of(greeting.wav or b"", "company-a") != first.audio_token


async def test_a_reply_plays_each_run_of_synthesized_sentences_as_one_file(audio_redis):
    tts = SyntheticSpeech()
    speech = renderer(audio_redis, tts)
    first, second = [await speech.render(t, VOICE) for t in ("We open at eight.", "See you!")]
    said = RenderedSentence("Our number is on the website.")  # e.g. synthesis timed out
    last = await speech.render("Goodbye.", VOICE)
    utterances = await speech.publish([first, second, said, last])
    assert [u.text for u in utterances] == ["We open at eight. See you!",
                                            "Our number is on the website.", "Goodbye."]
    joined, say, alone = utterances
    assert joined.audio_token and alone.audio_token and say.audio_token is None
    audio = AudioStore(audio_redis)
    joined_wav, alone_wav = await audio.get(joined.audio_token), await audio.get(alone.audio_token)
    assert joined_wav is not None and alone_wav == last.wav
    assert first.wav and second.wav
    assert wav_duration_s(joined_wav) == wav_duration_s(first.wav) + wav_duration_s(second.wav)


async def test_audio_that_cannot_be_stored_is_said_instead(audio_redis):
    speech = renderer(audio_redis, SyntheticSpeech())
    sentences = [await speech.render(t, VOICE) for t in ("One.", "Two.")]
    broken = SpeechRenderer(SyntheticSpeech(), AudioStore(_Unreachable()),  # type: ignore[arg-type]
                            SpeechCache(audio_redis))
    assert await broken.publish(sentences) == [Utterance("One. Two.")]


async def test_a_failing_synthesizer_leaves_the_text_for_say(audio_redis):
    speech = renderer(audio_redis, SyntheticSpeech(failure="error"))
    rendered = await speech.render("We open at eight.", VOICE)
    assert rendered.text == "We open at eight." and rendered.wav is None
    assert await speech.publish([rendered]) == [Utterance("We open at eight.")]


async def test_no_synthesizer_or_no_voice_means_say(audio_redis):
    assert (await renderer(audio_redis, None).render("Hi.", VOICE)).wav is None
    no_voice = await renderer(audio_redis, SyntheticSpeech()).render("Hi.", None)
    assert no_voice.wav is None


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
        ({"booked": True, "answered_by": "knowledge"}, "completed", "booked"),
        ({"booked": True}, "reaped", "booked"),
    ],
)
def test_a_call_outcome_follows_what_happened(facts, status, outcome):
    assert CallRecord(**facts).outcome(status) == outcome


def test_policy_tiers_map_onto_the_event_schema():
    assert event_tier("knowledge") == "knowledge"
    assert event_tier("offer") == "fallback"
    assert event_tier("silence") is None
    assert event_sentiment(None) == 0.0 and event_sentiment(0.75) == -0.75


def test_a_company_key_alone_pays_for_its_voice():
    from runtime.actors.speech import voice_request
    from runtime.conversation.snapshot import VoiceSettings
    from tenancy.models.company import ElevenLabsSettings

    own = VoiceSettings.of(ElevenLabsSettings(voiceId="Voice000001", useOwnApiKey=True,
                                              apiKey="sk_own_key_1234"))
    platform = VoiceSettings.of(ElevenLabsSettings(voiceId="Voice000002"))
    assert voice_request(own, "sk_own_key_1234", platform_voice=False).api_key == "sk_own_key_1234"
    assert voice_request(platform, None, platform_voice=False) is None  # <Say>
    assert voice_request(platform, None, platform_voice=True).api_key is None  # platform's key
class _Recording:
    """An event emitter that keeps what it is given."""

    def __init__(self) -> None:
        self.events: list = []

    async def emit_payloads(self, payloads) -> int:
        parsed = [parse_event(payload) for payload in payloads]
        self.events.extend(parsed)
        return len(parsed)


@pytest.mark.parametrize(("change", "booked"), [
    ("booked", True), ("rescheduled", True), ("cancelled", False),
])
async def test_a_booking_turn_reports_the_appointment(change, booked):
    emitter = _Recording()
    record, ctx = CallRecord(), CallContext("CA" + "1" * 32, "+12395557777", "+12395550199",
                                            datetime(2026, 12, 3, 15, tzinfo=UTC))
    appointment = Appointment("a" * 24, "Repair", "2026-12-08T10:00:00-05:00", change)
    outcome = TurnOutcome("You're all set!", Listen(), Tier.BOOKING, appointment=appointment)
    await CallRecorder(emitter).turn(record, "b" * 24, ctx, "yes", outcome, total_ms=1.0,
                                     tts_first_byte_ms=None)
    reported = [e for e in emitter.events if isinstance(e, AppointmentBooked)]
    assert record.booked is booked and len(reported) == int(booked)
    if booked:
        assert reported[0].service == "Repair" and reported[0].turn_index == 0
        assert reported[0].scheduled_for == datetime(2026, 12, 8, 15, tzinfo=UTC)
        assert record.outcome("completed") == "booked"
