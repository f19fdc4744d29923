"""The provider protocols the runtime talks to: a language model and a speech synthesizer.

Real clients (Gemini, ElevenLabs) and the offline doubles implement these, so the
dialogue policy and the call actor never import a vendor SDK.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol


class ProviderError(RuntimeError):
    """A provider failed (network, quota, bad answer); callers fall back."""


@dataclass(frozen=True)
class ChatMessage:
    role: Literal["caller", "agent"]
    text: str


@dataclass(frozen=True)
class ToolSpec:
    """A function the model may call; `parameters` is a JSON-schema object."""

    name: str
    description: str
    parameters: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class LlmRequest:
    model: str
    system_prompt: str
    history: tuple[ChatMessage, ...]
    tools: tuple[ToolSpec, ...] = ()
    temperature: float = 0.4
    max_output_tokens: int = 256


@dataclass(frozen=True)
class TextDelta:
    text: str


@dataclass(frozen=True)
class ToolCall:
    name: str
    arguments: dict[str, Any] = field(default_factory=dict)


LlmEvent = TextDelta | ToolCall


class LanguageModel(Protocol):
    def stream(self, request: LlmRequest) -> AsyncIterator[LlmEvent]:
        """Yield text deltas and tool calls as the model produces them."""
        ...


@dataclass(frozen=True)
class VoiceRequest:
    """Everything a synthesizer needs about the company's voice for one utterance."""

    voice_id: str
    model_id: str = "eleven_flash_v2_5"
    stability: float = 0.5
    similarity_boost: float = 0.75
    style: float = 0.0
    use_speaker_boost: bool = True
    speed: float = 1.0
    api_key: str | None = None  # the company's own key when useOwnApiKey, else None


class SpeechSynthesizer(Protocol):
    def stream(self, text: str, voice: VoiceRequest) -> AsyncIterator[bytes]:
        """Yield raw μ-law 8 kHz mono audio chunks for `text`."""
        ...


class VoiceCatalog(Protocol):
    async def list_voices(
        self, api_key: str | None, search: str | None = None, page_size: int = 100
    ) -> list[dict[str, Any]]:
        """Voices the key can use, as dicts with voice_id, name, category, labels."""
        ...
