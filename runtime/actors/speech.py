"""Sentences into playable audio, and a reply's sentences into as few `<Play>`s as possible.

`render` synthesizes one sentence; `publish` stores what a webhook returns: each run of
synthesized sentences becomes one WAV behind one `AudioStore` token, so Twilio makes one
download for them and plays them without a gap. A sentence that cannot be synthesized in
time (no voice configured, provider error, timeout) or stored (Redis hiccup) still
reaches the caller: its `Utterance` has no audio token and the Serve layer speaks it with
`<Say>`. Speech never fails a turn.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Sequence
from dataclasses import dataclass

import structlog

from runtime.actors.messages import Utterance
from runtime.conversation.snapshot import VoiceSettings
from runtime.providers.audio import join_wavs, wav_from_mulaw
from runtime.providers.audio_store import AudioStore, SpeechCache
from runtime.providers.base import SpeechSynthesizer, VoiceRequest

log = structlog.get_logger(__name__)

DEFAULT_TTS_TIMEOUT_S = 2.0  # per sentence, first byte to last; then <Say> takes over


@dataclass(frozen=True)
class RenderedSentence:
    text: str
    wav: bytes | None = None  # None: spoken with <Say>
    first_byte_ms: float | None = None  # None when nothing was synthesized (or it was cached)


def voice_request(voice: VoiceSettings, company_api_key: str | None,
                  platform_voice: bool = True) -> VoiceRequest | None:
    """The company's voice for the synthesizer; None (speak with `<Say>`) when it has not
    picked one, or when no key would pay for it (no own key and `platform_voice` False)."""
    own_key = company_api_key if voice.use_own_api_key else None
    if not voice.voice_id or (own_key is None and not platform_voice):
        return None
    return VoiceRequest(
        voice_id=voice.voice_id,
        model_id=voice.model_id,
        stability=voice.stability,
        similarity_boost=voice.similarity_boost,
        style=voice.style,
        use_speaker_boost=voice.use_speaker_boost,
        speed=voice.speed,
        api_key=own_key,
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
            return RenderedSentence(text)
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
        except Exception as exc:  # any failure degrades to <Say>, never to silence
            log.warning("tts_fallback_to_say", error=type(exc).__name__)
            return RenderedSentence(text, None, first_byte_ms)
        return RenderedSentence(text, wav, first_byte_ms)

    async def publish(self, sentences: Sequence[RenderedSentence],
                      owner: str | None = None) -> list[Utterance]:
        """The utterances of one reply: each piece of `playback_pieces` stored as one WAV
        (one `<Play>`, its URL the same for the same audio of the same `owner`: see
        `AudioStore.put`), or given as text for `<Say>`."""
        utterances: list[Utterance] = []
        for piece in playback_pieces(sentences):
            token = None
            if piece.wav is not None:
                try:
                    token = await self._audio.put(piece.wav, owner)
                except Exception as exc:  # cannot store the audio: say it instead
                    log.warning("audio_store_fallback_to_say", error=type(exc).__name__)
            utterances.append(Utterance(piece.text, token))
        return utterances

    def prepared(self, sentences: Sequence[RenderedSentence], owner: str | None = None
                 ) -> tuple[list[Utterance], list[AudioEntry]]:
        """`publish`'s utterances with nothing stored yet, and the audio to store for them
        (key, WAV, lifetime each), for a writer that stores it in one step with other data."""
        utterances: list[Utterance] = []
        audio: list[AudioEntry] = []
        for piece in playback_pieces(sentences):
            token = None
            if piece.wav is not None:
                token, entry = self._audio.entry(piece.wav, owner)
                audio.append(entry)
            utterances.append(Utterance(piece.text, token))
        return utterances, audio


AudioEntry = tuple[str, bytes, int]  # key, WAV, lifetime (s): `AudioStore.entry`


def playback_pieces(sentences: Sequence[RenderedSentence]) -> list[RenderedSentence]:
    """Consecutive synthesized sentences joined into one (text and audio); the others kept."""
    pieces: list[RenderedSentence] = []
    for synthesized, grouped in itertools.groupby(sentences, key=lambda s: s.wav is not None):
        run = list(grouped)
        if synthesized and len(run) > 1:
            pieces.append(RenderedSentence(" ".join(s.text for s in run),
                                           join_wavs([s.wav for s in run if s.wav is not None]),
                                           run[0].first_byte_ms))
        else:
            pieces.extend(run)
    return pieces
