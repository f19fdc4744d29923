"""Synthesized audio in Redis: short-lived `<Play>` files and the per-voice phrase cache.

Any Serve replica can answer Twilio's download, so the bytes live in Redis, not in the
process that made them. The Redis client must be created with `decode_responses=False`.

A call's audio is stored under a token derived from its bytes and its company with a
server-side key (`put(wav, owner=...)`): the same greeting of the same company gets the
same URL on every call, so Twilio, which caches `<Play>` files by ETag, need not download
it again; another company's identical audio gets another URL, and without the key no URL
can be derived from the audio. A token's bytes never change (`ETag` and `immutable`).

A Serve replica serves the same few files over and over (a company's greeting on every
call, its common answers), so its store may hold recently served files in memory
(`held_bytes`), each only until the moment Redis will drop it: what it serves, and until
when, is exactly what Redis would. It also tells how long that is (`get_with_lifetime`),
so a cache in front of it (HAProxy's, `runtime.haproxy_edge`) can keep the same promise.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import asdict

import redis.asyncio as aioredis

from runtime.providers.base import VoiceRequest

AUDIO_KEY_PREFIX = "g:audio:"
SPEECH_CACHE_KEY_PREFIX = "g:tts-cache:"
TOKEN_BYTES = 24
AUDIO_TTL_S = 300  # a <Play> file's life after it was last put
PHRASES_KEPT = 64  # cached phrases' audio kept in a process (a few MB at most)
# secrets.token_urlsafe(24) is exactly 32 characters of the URL-safe base64 alphabet.
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{32}")


def _as_bytes(data: bytes | str | None) -> bytes | None:
    if isinstance(data, str):
        raise TypeError("audio needs a Redis client made with decode_responses=False")
    return data


def is_audio_token(token: str) -> bool:
    """Could `token` have come from `AudioStore.put`? Anything else never reaches Redis."""
    return _TOKEN_SHAPE.fullmatch(token) is not None


def audio_url_key(secret: str) -> bytes:
    """The key of `AudioStore`'s owned tokens, derived from a server secret (its own use)."""
    return hmac.digest(secret.encode(), b"clientsvia audio url tokens", "sha256")


class AudioStore:
    """WAV files behind unguessable tokens, gone `ttl_s` seconds after they were last put."""

    def __init__(self, redis: aioredis.Redis, ttl_s: int = AUDIO_TTL_S,
                 url_key: bytes | None = None, held_bytes: int = 0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._redis = redis
        self.ttl_s = ttl_s
        self._url_key = url_key
        self._held = HeldAudio(held_bytes, clock)

    async def put(self, wav: bytes, owner: str | None = None) -> str:
        """The audio's token: the same for the same bytes and `owner` (a company id), given
        a `url_key`; else a random one."""
        token, (key, value, ttl_s) = self.entry(wav, owner)
        await self._redis.set(key, value, ex=ttl_s)
        return token

    def entry(self, wav: bytes, owner: str | None = None) -> tuple[str, tuple[str, bytes, int]]:
        """The audio's token and what `put` writes for it (key, bytes, lifetime in s), for
        a writer that stores it in one step with other data (a turn's events)."""
        token = self.token_of(wav, owner)
        return token, (AUDIO_KEY_PREFIX + token, wav, self.ttl_s)

    def token_of(self, wav: bytes, owner: str | None) -> str:
        if self._url_key is None or owner is None:
            return secrets.token_urlsafe(TOKEN_BYTES)
        material = owner.encode() + b"\0" + hashlib.sha256(wav).digest()
        digest = hmac.digest(self._url_key, material, "sha256")[:TOKEN_BYTES]
        return base64.urlsafe_b64encode(digest).decode()

    async def get(self, token: str) -> bytes | None:
        found = await self.get_with_lifetime(token)
        return found[0] if found is not None else None

    async def get_with_lifetime(self, token: str) -> tuple[bytes, float] | None:
        """The file and the seconds until Redis drops it (0: never, which `put` does not do)."""
        if not is_audio_token(token):
            return None
        held = self._held.get(token)
        if held is not None:
            return held
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.get(AUDIO_KEY_PREFIX + token)
            pipe.pttl(AUDIO_KEY_PREFIX + token)
            data, ttl_ms = await pipe.execute()
        audio = _as_bytes(data)
        if audio is None:
            return None
        lifetime_s = max(0.0, ttl_ms / 1000)  # PTTL -1: no expiry
        self._held.hold(token, audio, lifetime_s)
        return audio, lifetime_s


class HeldAudio:
    """Files kept in memory up to `budget` bytes (the least recently served go first), each
    until the moment Redis drops it; a budget of 0 keeps nothing."""

    def __init__(self, budget: int, clock: Callable[[], float]) -> None:
        self.budget = budget
        self._clock = clock
        self._files: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._size = 0

    def get(self, token: str) -> tuple[bytes, float] | None:
        """The held file and the seconds it has left."""
        held = self._files.get(token)
        if held is None:
            return None
        left_s = held[0] - self._clock()
        if left_s <= 0:
            self._drop(token)
            return None
        self._files.move_to_end(token)
        return held[1], left_s

    def hold(self, token: str, audio: bytes, expires_in_s: float) -> None:
        """`expires_in_s`: the seconds Redis keeps it (0: not known to expire: not held)."""
        if expires_in_s <= 0 or len(audio) > self.budget:
            return
        self._drop(token)
        self._files[token] = (self._clock() + expires_in_s, audio)
        self._size += len(audio)
        while self._size > self.budget:
            self._drop(next(iter(self._files)))

    def _drop(self, token: str) -> None:
        held = self._files.pop(token, None)
        if held is not None:
            self._size -= len(held[1])


def speech_cache_key(text: str, voice: VoiceRequest) -> str:
    """sha256 of the voice settings and the text. The company's API key is left out: it must
    never be stored, and the audio does not depend on who pays for it."""
    settings = {k: v for k, v in asdict(voice).items() if k != "api_key"}
    material = json.dumps({"voice": settings, "text": text}, sort_keys=True)
    return hashlib.sha256(material.encode()).hexdigest()


class SpeechCache:
    """Phrases said on every call (greetings, hold lines) synthesized once per voice and text.

    The `kept` most recently said are also kept in the process: a greeting is read from
    Redis once per actor, not on every call (the audio of a voice and text is any one
    rendering of it, so an older copy is as good as the stored one)."""

    def __init__(self, redis: aioredis.Redis, ttl_s: int = 24 * 3600,
                 kept: int = PHRASES_KEPT) -> None:
        self._redis = redis
        self.ttl_s = ttl_s
        self._kept: OrderedDict[str, bytes] = OrderedDict()
        self._max_kept = kept

    async def get(self, text: str, voice: VoiceRequest) -> bytes | None:
        key = speech_cache_key(text, voice)
        audio = self._kept.get(key)
        if audio is None:
            audio = _as_bytes(await self._redis.get(SPEECH_CACHE_KEY_PREFIX + key))
        if audio is not None:
            self._keep(key, audio)
        return audio

    async def put(self, text: str, voice: VoiceRequest, audio: bytes) -> None:
        key = speech_cache_key(text, voice)
        await self._redis.set(SPEECH_CACHE_KEY_PREFIX + key, audio, ex=self.ttl_s)
        self._keep(key, audio)

    def _keep(self, key: str, audio: bytes) -> None:
        self._kept[key] = audio
        self._kept.move_to_end(key)
        while len(self._kept) > self._max_kept:
            self._kept.popitem(last=False)

    async def get_or_create(
        self, text: str, voice: VoiceRequest, produce: Callable[[], Awaitable[bytes]]
    ) -> bytes:
        """Cached audio, or `produce()`'s, stored for next time. Errors of `produce` propagate
        (nothing is cached), so the caller can fall back to `<Say>`."""
        cached = await self.get(text, voice)
        if cached is not None:
            return cached
        audio = await produce()
        await self.put(text, voice, audio)
        return audio
