"""WAV files for `<Play>`, their short-lived URLs in Redis, and the greeting cache."""

from __future__ import annotations

import struct
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from runtime.providers.audio import (
    FRAME_BYTES,
    is_wav,
    mulaw_decode_sample,
    mulaw_encode,
    synthesize_wav,
    wav_duration_s,
    wav_from_mulaw,
)
from runtime.providers.audio_store import (
    AUDIO_KEY_PREFIX,
    SPEECH_CACHE_KEY_PREFIX,
    AudioStore,
    SpeechCache,
    is_audio_token,
    speech_cache_key,
)
from runtime.providers.base import VoiceRequest
from runtime.providers.doubles import SyntheticSpeech, synthetic_ulaw

VOICE = VoiceRequest("CompanyVoice01", stability=0.4)


def parse_wav(data: bytes) -> dict[str, bytes]:
    """Chunks of a RIFF/WAVE file by id, checking the RIFF size on the way."""
    riff, size, wave = struct.unpack_from("<4sI4s", data, 0)
    assert (riff, wave) == (b"RIFF", b"WAVE")
    assert size == len(data) - 8
    chunks, offset = {}, 12
    while offset < len(data):
        chunk_id, chunk_size = struct.unpack_from("<4sI", data, offset)
        chunks[chunk_id.decode()] = data[offset + 8 : offset + 8 + chunk_size]
        offset += 8 + chunk_size + chunk_size % 2
    assert offset == len(data)
    return chunks


@pytest.mark.parametrize("length", [0, 1, 160, 8001])
def test_wav_header_describes_mulaw_8khz_mono(length: int) -> None:
    ulaw = bytes(i % 256 for i in range(length))
    chunks = parse_wav(wav_from_mulaw(ulaw))

    assert list(chunks) == ["fmt ", "fact", "data"]
    tag, channels, rate, byte_rate, block_align, bits, extra = struct.unpack(
        "<HHIIHHH", chunks["fmt "]
    )
    assert (tag, channels, rate, byte_rate, block_align, bits, extra) == (7, 1, 8000, 8000, 1, 8, 0)
    assert struct.unpack("<I", chunks["fact"]) == (length,)
    assert chunks["data"] == ulaw
    assert wav_duration_s(wav_from_mulaw(ulaw)) == length / 8000


def test_is_wav() -> None:
    assert is_wav(wav_from_mulaw(b"\xff" * 10))
    assert not is_wav(b"ID3\x04 an mp3")
    assert not is_wav(b"RIFF")


def test_mulaw_round_trip_keeps_the_signal() -> None:
    samples = [-32000, -1000, -5, 0, 5, 1000, 32000]
    decoded = [mulaw_decode_sample(b) for b in mulaw_encode(samples)]
    for original, back in zip(samples, decoded, strict=True):
        assert abs(back - original) <= max(8, abs(original) // 16)


async def test_synthesize_wav_wraps_the_whole_utterance() -> None:
    text = "We can send a technician this afternoon."
    wav = await synthesize_wav(SyntheticSpeech(frames_per_chunk=3), text, VOICE)
    assert parse_wav(wav)["data"] == synthetic_ulaw(text, voice_id=VOICE.voice_id)
    assert len(synthetic_ulaw(text)) % FRAME_BYTES == 0


@pytest.fixture
async def redis_bytes(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(redis_url, decode_responses=False)
    yield client
    await client.aclose()


async def test_audio_store_round_trip_with_ttl(redis_bytes: aioredis.Redis) -> None:
    store = AudioStore(redis_bytes, ttl_s=120)
    wav = wav_from_mulaw(b"\x00\xff" * 400)

    token = await store.put(wav)

    assert is_audio_token(token)
    assert await store.get(token) == wav
    assert 0 < await redis_bytes.ttl(AUDIO_KEY_PREFIX + token) <= 120
    assert await store.put(wav) != token  # every file gets its own URL


async def test_audio_store_refuses_crafted_tokens(redis_bytes: aioredis.Redis) -> None:
    store = AudioStore(redis_bytes)
    await redis_bytes.set("g:audio:../../t:0123456789abcdef01234567:profile", b"secret")
    await redis_bytes.set(AUDIO_KEY_PREFIX + "short", b"secret")

    assert await store.get("../../t:0123456789abcdef01234567:profile") is None
    assert await store.get("short") is None
    assert await store.get("A" * 32) is None  # well-formed but unknown or expired
    assert not is_audio_token("A" * 31 + "*")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_a_held_file_is_served_until_redis_would_drop_it_and_says_so(
        redis_bytes: aioredis.Redis) -> None:
    clock = Clock()
    store = AudioStore(redis_bytes, ttl_s=60, held_bytes=10_000, clock=clock)
    wav = wav_from_mulaw(b"\x01" * 800)
    token = await store.put(wav)
    audio, lifetime_s = await store.get_with_lifetime(token) or (b"", 0.0)
    assert audio == wav and 58.0 < lifetime_s <= 60.0  # Redis's PTTL, read with the file
    await redis_bytes.delete(AUDIO_KEY_PREFIX + token)
    clock.now += 20.0
    audio, held_s = await store.get_with_lifetime(token) or (b"", 0.0)
    assert audio == wav and held_s == pytest.approx(lifetime_s - 20.0)  # the held copy's
    assert await store.get(token) == wav  # the held copy, not Redis
    clock.now += 40.0  # past the TTL Redis had when it was read
    assert await store.get(token) is None
    assert await store.get("A" * 32) is None  # well-formed but unknown: Redis says so


async def test_a_file_redis_keeps_for_ever_promises_no_lifetime(
        redis_bytes: aioredis.Redis) -> None:
    forever = "F" * 32  # a key without a TTL (never written so)
    await redis_bytes.set(AUDIO_KEY_PREFIX + forever, b"RIFF")
    assert await AudioStore(redis_bytes).get_with_lifetime(forever) == (b"RIFF", 0.0)


async def test_holding_stays_within_its_budget_and_without_one_redis_is_asked(
        redis_bytes: aioredis.Redis) -> None:
    store = AudioStore(redis_bytes, held_bytes=2_500, clock=Clock())
    files = [wav_from_mulaw(bytes([n]) * 1_000) for n in range(3)]
    tokens = [await store.put(wav) for wav in files]
    for token in tokens:
        await store.get(token)
    await redis_bytes.delete(*(AUDIO_KEY_PREFIX + token for token in tokens))
    assert [await store.get(token) for token in tokens] == [None, files[1], files[2]]

    forever = "F" * 32  # a key without a TTL (never written so) is not held: no end known
    await redis_bytes.set(AUDIO_KEY_PREFIX + forever, files[0])
    assert await store.get(forever) == files[0]
    await redis_bytes.delete(AUDIO_KEY_PREFIX + forever)
    assert await store.get(forever) is None

    unheld = AudioStore(redis_bytes)
    token = await unheld.put(files[0])
    assert await unheld.get(token) == files[0]
    await redis_bytes.delete(AUDIO_KEY_PREFIX + token)
    assert await unheld.get(token) is None


async def test_a_decoding_client_is_refused_loudly(redis_async: aioredis.Redis) -> None:
    token = await AudioStore(redis_async).put(b"RIFF")
    with pytest.raises(TypeError, match="decode_responses=False"):
        await AudioStore(redis_async).get(token)


def test_cache_key_ignores_the_company_key_but_not_the_voice() -> None:
    text = "Thanks for calling Acme Heating."
    own_key = VoiceRequest("CompanyVoice01", stability=0.4, api_key="sk_company_secret")
    assert speech_cache_key(text, own_key) == speech_cache_key(text, VOICE)
    assert speech_cache_key(text, VoiceRequest("CompanyVoice01", stability=0.5)) != (
        speech_cache_key(text, VOICE)
    )
    assert speech_cache_key(text + "!", VOICE) != speech_cache_key(text, VOICE)


async def test_greeting_is_synthesized_once_per_voice_and_text(redis_bytes: aioredis.Redis) -> None:
    cache = SpeechCache(redis_bytes, ttl_s=3600)
    tts = SyntheticSpeech()
    greeting = "Thanks for calling Acme Heating, how can I help?"
    voice = VoiceRequest("CompanyVoice02", api_key="sk_company_secret")
    await redis_bytes.delete(SPEECH_CACHE_KEY_PREFIX + speech_cache_key(greeting, voice))

    first = await cache.get_or_create(greeting, voice, lambda: synthesize_wav(tts, greeting, voice))
    second = await cache.get_or_create(
        greeting, voice, lambda: synthesize_wav(tts, greeting, voice)
    )

    assert first == second and is_wav(first)
    assert len(tts.requests) == 1
    key = SPEECH_CACHE_KEY_PREFIX + speech_cache_key(greeting, voice)
    assert 0 < await redis_bytes.ttl(key) <= 3600
    stored_keys = [k async for k in redis_bytes.scan_iter(match=b"g:tts-cache:*")]
    assert all(b"sk_company_secret" not in k for k in stored_keys)


async def test_failed_synthesis_is_not_cached(redis_bytes: aioredis.Redis) -> None:
    cache = SpeechCache(redis_bytes)
    voice = VoiceRequest("CompanyVoice03")
    text = "One moment please."

    async def failing() -> bytes:
        raise RuntimeError("provider down")

    with pytest.raises(RuntimeError):
        await cache.get_or_create(text, voice, failing)
    assert await cache.get(text, voice) is None
