"""Sentences into playable audio: one WAV per sentence behind an `AudioStore` token.

A sentence that cannot be synthesized in time (no voice configured, provider error,
timeout, Redis hiccup) still reaches the caller: its `Utterance` has no audio token and
the Serve layer speaks it with `<Say>`. Speech never fails a turn.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import structlog

from runtime.actors.messages import Utterance
from runtime.conversation.snapshot import VoiceSettings
from runtime.providers.audio import wav_from_mulaw
from runtime.providers.audio_store import AudioStore, SpeechCache
from runtime.providers.base import SpeechSynthesizer, VoiceRequest

log = structlog.get_logger(__name__)

DEFAULT_TTS_TIMEOUT_S = 2.0  # per sentence, first byte to last; then <Say> takes over


@dataclass(frozen=True)
class RenderedSentence:
    utterance: Utterance
    first_byte_ms: float | None = None  # None when nothing was synthesized (or it was cached)


def voice_request(voice: VoiceSettings, company_api_key: str | None) -> VoiceRequest | None:
    """The company's voice for the synthesizer; None when it has not picked one."""
    if not voice.voice_id:
        return None
    return VoiceRequest(
        voice_id=voice.voice_id,
        model_id=voice.model_id,
        stability=voice.stability,
        similarity_boost=voice.similarity_boost,
        style=voice.style,
        use_speaker_boost=voice.use_speaker_boost,
        speed=voice.speed,
        api_key=company_api_key if voice.use_own_api_key else None,
    )


class SpeechRenderer:
    """Turns each sentence into a short-lived WAV token (or into plain text for `<Say>`)."""

    def __init__(
        self,
        tts: SpeechSynthesizer | None,
        audio: AudioStore,
        cache: SpeechCache,
        timeout_s: float = DEFAULT_TTS_TIMEOUT_S,
    ) -> None:
        self._tts = tts
        self._audio = audio
        self._cache = cache
        self.timeout_s = timeout_s

    async def render(
        self, text: str, voice: VoiceRequest | None, *, cached: bool = False
    ) -> RenderedSentence:
        """`cached=True` for phrases every call says (greetings, hold lines): synthesized
        once per voice and text, then read from the speech cache."""
        tts = self._tts
        if tts is None or voice is None:
            return RenderedSentence(Utterance(text))
        started = time.perf_counter()
        first_byte_ms: float | None = None

        async def produce() -> bytes:
            nonlocal first_byte_ms
            chunks: list[bytes] = []
            async for chunk in tts.stream(text, voice):
                if first_byte_ms is None:
                    first_byte_ms = round((time.perf_counter() - started) * 1000.0, 3)
                chunks.append(chunk)
            return wav_from_mulaw(b"".join(chunks))

        try:
            async with asyncio.timeout(self.timeout_s):
                wav = await (self._cache.get_or_create(text, voice, produce) if cached
                             else produce())
                token = await self._audio.put(wav)
        except Exception as exc:  # any failure degrades to <Say>, never to silence
            log.warning("tts_fallback_to_say", error=type(exc).__name__)
            return RenderedSentence(Utterance(text), first_byte_ms)
        return RenderedSentence(Utterance(text, token), first_byte_ms)
