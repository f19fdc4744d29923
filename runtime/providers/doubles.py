"""Offline, deterministic stand-ins for the LLM and TTS, for tests and load tests.

They follow the real providers' shapes (streams of `TextDelta`/`ToolCall`, μ-law 8 kHz
chunks), take configurable latencies, fail on demand (`error`, or `hang` to exercise the
timeouts), and record what they were asked so tests can check the voice, key or system
prompt a call used.
"""

from __future__ import annotations

import asyncio
import math
import random
import re
from collections import deque
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from runtime.providers.audio import FRAME_BYTES, MULAW_SILENCE, SAMPLE_RATE, mulaw_encode
from runtime.providers.base import (
    LlmEvent,
    LlmRequest,
    ProviderError,
    TextDelta,
    ToolCall,
    VoiceRequest,
)

FailureMode = Literal["none", "error", "hang"]
FAILURE_MODES: tuple[FailureMode, ...] = ("none", "error", "hang")


@dataclass(frozen=True)
class LoadProfile:
    """Provider latencies the doubles imitate."""

    llm_first_token_s: float = 0.0
    llm_tokens_per_s: float = 0.0  # 0 = every token at once
    tts_first_byte_s: float = 0.0


# "realistic" is Twilio's published per-turn budget for an AI agent: LLM first token 375 ms,
# TTS first byte 100 ms; ~50 tokens/s is a flash-class model's streaming rate.
LOAD_PROFILES: dict[str, LoadProfile] = {
    "zero": LoadProfile(),
    "realistic": LoadProfile(llm_first_token_s=0.375, llm_tokens_per_s=50.0, tts_first_byte_s=0.1),
}


@dataclass(frozen=True)
class ScriptRule:
    """When the caller's last words match `pattern` (regex, case-insensitive), answer so."""

    pattern: str
    reply: str = ""
    tool_call: ToolCall | None = None


class _FailureInjector:
    """Decides, with a seeded RNG, whether this request fails and how."""

    def __init__(self, mode: FailureMode, rate: float, seed: int, label: str) -> None:
        if mode not in FAILURE_MODES:
            raise ValueError(f"failure mode must be one of {FAILURE_MODES}, not {mode!r}")
        self.mode, self.rate, self.label = mode, rate, label
        self._rng = random.Random(seed)

    async def maybe_fail(self) -> None:
        if self.mode == "none" or self._rng.random() >= self.rate:
            return
        if self.mode == "hang":
            await asyncio.Event().wait()  # until the caller's deadline cancels us
        raise ProviderError(f"{self.label} double: injected failure")


_FILLER = re.compile(
    r"\b(hi|hello|hey|um+|uh+|so|yeah|well|please|i|i'm|im|my|me|we|our|you|your|a|an|the|is|"
    r"are|was|it|it's|its|there|this|that|to|of|and|or|can|could|would|do|does|have|has|"
    r"need|want|like|just|some|with|for|on|in|at|about|get|got)\b",
    re.IGNORECASE,
)


def caller_topic(text: str, max_words: int = 5) -> str:
    """The caller's content words, e.g. "my furnace is making a noise" → "furnace making noise"."""
    words = re.findall(r"[A-Za-z0-9']+", _FILLER.sub(" ", text))
    return " ".join(words[:max_words]).lower()


def default_reply(last_caller_text: str) -> str:
    topic = caller_topic(last_caller_text)
    if not topic:
        return "Thanks for calling. How can I help you today?"
    return (
        f"Thanks for letting me know about the {topic}. We can certainly help with that. "
        "Would you like me to book a technician to take a look?"
    )


def _tokens(text: str) -> list[str]:
    """Word-sized tokens that concatenate back to `text` exactly."""
    return re.findall(r"\S+\s*|\s+", text)


class ScriptedLanguageModel:
    """`LanguageModel` double: rule-based answers, streamed at a configurable pace."""

    def __init__(
        self,
        rules: Sequence[ScriptRule] = (),
        *,
        first_token_s: float = 0.0,
        tokens_per_s: float = 0.0,
        failure: FailureMode = "none",
        failure_rate: float = 1.0,
        seed: int = 0,
        max_recorded: int = 100,
    ) -> None:
        self.rules = [(re.compile(r.pattern, re.IGNORECASE), r) for r in rules]
        self.first_token_s = first_token_s
        self.tokens_per_s = tokens_per_s
        self._failures = _FailureInjector(failure, failure_rate, seed, "language model")
        self._requests: deque[LlmRequest] = deque(maxlen=max_recorded)

    @property
    def requests(self) -> list[LlmRequest]:
        """The most recent requests, oldest first."""
        return list(self._requests)

    def answer(self, request: LlmRequest) -> tuple[str, ToolCall | None]:
        last = next((m.text for m in reversed(request.history) if m.role == "caller"), "")
        for pattern, rule in self.rules:
            if pattern.search(last):
                return rule.reply, rule.tool_call
        return default_reply(last), None

    async def stream(self, request: LlmRequest) -> AsyncIterator[LlmEvent]:
        self._requests.append(request)
        if self.first_token_s:
            await asyncio.sleep(self.first_token_s)
        await self._failures.maybe_fail()
        reply, tool_call = self.answer(request)
        gap = 1.0 / self.tokens_per_s if self.tokens_per_s > 0 else 0.0
        for index, token in enumerate(_tokens(reply)):
            if gap and index:
                await asyncio.sleep(gap)
            yield TextDelta(token)
        if tool_call is not None:
            yield tool_call


@cache
def _syllable_frames(count: int = 16) -> tuple[bytes, ...]:
    """20 ms voiced frames at distinct pitches, each faded in and out (no clicks)."""
    frames = []
    for index in range(count):
        pitch = 110.0 + 15.0 * index
        samples = [
            int(
                6000
                * math.sin(math.pi * n / FRAME_BYTES)
                * math.sin(2 * math.pi * pitch * n / SAMPLE_RATE)
            )
            for n in range(FRAME_BYTES)
        ]
        frames.append(mulaw_encode(samples))
    return tuple(frames)


def synthetic_ulaw(text: str, chars_per_s: float = 15.0, voice_id: str = "") -> bytes:
    """Pseudo-speech for `text`: whole 20 ms frames, ~1 s per 15 characters, same text → same bytes.

    Letters and digits sound as a pitch picked from the character (shifted by the voice, so
    two voices saying the same words give different audio), anything else as silence.
    """
    if not text:
        return b""
    frames = _syllable_frames()
    silence = bytes([MULAW_SILENCE]) * FRAME_BYTES
    frame_count = max(1, math.ceil(len(text) / chars_per_s * SAMPLE_RATE / FRAME_BYTES))
    voice_shift = sum(voice_id.encode()) % len(frames)
    out = []
    for index in range(frame_count):
        char = text[index * len(text) // frame_count]
        pitch = (ord(char) + voice_shift) % len(frames)
        out.append(frames[pitch] if char.isalnum() else silence)
    return b"".join(out)


SYNTHETIC_VOICES: tuple[dict[str, Any], ...] = (
    {
        "voice_id": "SyntheticAvery01",
        "name": "Avery",
        "category": "premade",
        "labels": {"accent": "american", "gender": "female", "use_case": "conversational"},
    },
    {
        "voice_id": "SyntheticBrooks02",
        "name": "Brooks",
        "category": "premade",
        "labels": {"accent": "american", "gender": "male", "use_case": "conversational"},
    },
    {
        "voice_id": "SyntheticCasey03",
        "name": "Casey",
        "category": "premade",
        "labels": {"accent": "british", "gender": "female", "use_case": "narration"},
    },
)


class SyntheticSpeech:
    """`SpeechSynthesizer` (and `VoiceCatalog`) double: deterministic μ-law pseudo-speech."""

    def __init__(
        self,
        *,
        first_byte_s: float = 0.0,
        failure: FailureMode = "none",
        failure_rate: float = 1.0,
        seed: int = 0,
        frames_per_chunk: int = 10,
        chars_per_s: float = 15.0,
        max_recorded: int = 100,
    ) -> None:
        self.first_byte_s = first_byte_s
        self.chunk_bytes = FRAME_BYTES * max(1, frames_per_chunk)
        self.chars_per_s = chars_per_s
        self._failures = _FailureInjector(failure, failure_rate, seed, "speech synthesizer")
        self._requests: deque[tuple[str, VoiceRequest]] = deque(maxlen=max_recorded)

    @property
    def requests(self) -> list[tuple[str, VoiceRequest]]:
        """The most recent (text, voice) requests, oldest first."""
        return list(self._requests)

    async def stream(self, text: str, voice: VoiceRequest) -> AsyncIterator[bytes]:
        self._requests.append((text, voice))
        if self.first_byte_s:
            await asyncio.sleep(self.first_byte_s)
        await self._failures.maybe_fail()
        audio = synthetic_ulaw(text, self.chars_per_s, voice.voice_id)
        for start in range(0, len(audio), self.chunk_bytes):
            yield audio[start : start + self.chunk_bytes]

    async def list_voices(
        self, api_key: str | None, search: str | None = None, page_size: int = 100
    ) -> list[dict[str, Any]]:
        needle = (search or "").lower()
        found = [v for v in SYNTHETIC_VOICES if needle in v["name"].lower()]
        return [dict(v, labels=dict(v["labels"])) for v in found[:page_size]]
