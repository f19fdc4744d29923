"""Which language model and synthesizer a process uses, decided once from its configuration.

"auto": the real vendors where a key is set, nothing where none is (the platform then answers
from knowledge and speaks with `<Say>`). "doubles": the offline doubles, for tests and load
tests. Either way the provider sits behind a circuit breaker. Vendor SDKs are imported here
only when they are about to be used, so a process without keys never pays their import cost.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Literal

from runtime.node_cache import NodeCache
from runtime.providers.base import (
    LanguageModel,
    ProviderError,
    SpeechSynthesizer,
    VoiceCatalog,
    VoiceRequest,
)
from runtime.providers.circuit import CircuitBreaker, GuardedLanguageModel, GuardedSynthesizer
from runtime.providers.doubles import (
    LOAD_PROFILES,
    FailureMode,
    ScriptedLanguageModel,
    SyntheticSpeech,
)
from runtime.providers.embedding import SentenceEmbedder, ShortUtteranceCache
from runtime.providers.embedding_doubles import HashedWordsEmbedder


@dataclass(frozen=True)
class ProviderConfig:
    # Platform keys; None means "not configured".
    gemini_api_key: str | None = None
    elevenlabs_api_key: str | None = None
    # "auto" = real clients where keys are set; "doubles" = offline doubles, keys ignored.
    mode: Literal["auto", "doubles"] = "auto"
    # Latency profile of the doubles (see doubles.LOAD_PROFILES).
    double_profile: Literal["zero", "realistic"] = "zero"
    # Failure injection in the doubles: "none", "error" or "hang", at `failure_rate` (0..1).
    llm_failure: FailureMode = "none"
    tts_failure: FailureMode = "none"
    # Sentence embeddings: the real model, or the hashed-words double (see settings).
    embedder: Literal["minilm", "hashed-words"] = "minilm"
    failure_rate: float = 1.0
    seed: int = 0
    # Consecutive failures that open a breaker, and seconds before it lets a probe through.
    breaker_failure_threshold: int = 5
    breaker_reset_after_s: float = 30.0
    # Deadlines that count as failures: Twilio's agent budget is 375 ms LLM / 100 ms TTS,
    # these leave room for a slow moment without letting a turn stall.
    llm_first_token_timeout_s: float = 2.5
    tts_first_byte_timeout_s: float = 2.0

    @property
    def platform_voice(self) -> bool:
        """Whether a company without its own ElevenLabs key can be voiced (else `<Say>`)."""
        return self.mode == "doubles" or bool(self.elevenlabs_api_key)

    def breaker(self) -> CircuitBreaker:
        return CircuitBreaker(self.breaker_failure_threshold, self.breaker_reset_after_s)


def build_language_model(config: ProviderConfig) -> LanguageModel | None:
    inner: LanguageModel
    if config.mode == "doubles":
        profile = LOAD_PROFILES[config.double_profile]
        inner = ScriptedLanguageModel(
            first_token_s=profile.llm_first_token_s,
            tokens_per_s=profile.llm_tokens_per_s,
            failure=config.llm_failure,
            failure_rate=config.failure_rate,
            seed=config.seed,
        )
    elif config.gemini_api_key:
        from runtime.providers.gemini import GeminiLanguageModel

        inner = GeminiLanguageModel(config.gemini_api_key)
    else:
        return None
    return GuardedLanguageModel(inner, config.breaker(), config.llm_first_token_timeout_s)


def build_drafting_model(config: ProviderConfig) -> LanguageModel | None:
    """Gemini for drafts people read (call summaries, proposed answers) when a key is
    configured; None otherwise, and with the doubles, whose scripted replies are call
    answers, not drafts: callers then keep their offline text."""
    if config.mode == "doubles" or not config.gemini_api_key:
        return None
    from runtime.providers.gemini import GeminiLanguageModel

    return GuardedLanguageModel(GeminiLanguageModel(config.gemini_api_key), config.breaker(),
                                config.llm_first_token_timeout_s)


def _synthetic_speech(config: ProviderConfig) -> SyntheticSpeech:
    profile = LOAD_PROFILES[config.double_profile]
    return SyntheticSpeech(
        first_byte_s=profile.tts_first_byte_s,
        failure=config.tts_failure,
        failure_rate=config.failure_rate,
        seed=config.seed,
    )


class CompanyKeysOnlySpeech:
    """ElevenLabs without a platform key: speaks only for companies that bring their own.

    The SDK is imported on the first sentence such a company needs, so an actor that never
    serves one never pays for it. Requests without a key fail at once (`<Say>` then).
    """

    def __init__(self) -> None:
        self._inner: SpeechSynthesizer | None = None

    def stream(self, text: str, voice: VoiceRequest) -> AsyncIterator[bytes]:
        if self._inner is None:
            if voice.api_key is None:
                raise ProviderError("no ElevenLabs API key: none configured for the company "
                                    "or platform")
            from runtime.providers.elevenlabs_tts import ElevenLabsSynthesizer

            self._inner = ElevenLabsSynthesizer(None)
        return self._inner.stream(text, voice)


def build_synthesizer(config: ProviderConfig) -> SpeechSynthesizer:
    """Doubles, ElevenLabs on the platform's key, or ElevenLabs on companies' own keys."""
    inner: SpeechSynthesizer
    if config.mode == "doubles":
        inner = _synthetic_speech(config)
    elif config.elevenlabs_api_key:
        from runtime.providers.elevenlabs_tts import ElevenLabsSynthesizer

        inner = ElevenLabsSynthesizer(config.elevenlabs_api_key)
    else:
        inner = CompanyKeysOnlySpeech()
    return GuardedSynthesizer(
        inner,
        config.breaker(),
        config.tts_first_byte_timeout_s,
        company_breaker_factory=config.breaker,
    )


def build_embedder(config: ProviderConfig, cache: NodeCache | None = None) -> SentenceEmbedder:
    """Loads (and verifies) the model now: call it at process start-up, never in a turn.
    `cache`: the node's, where the model's rewritten graph is shared between processes."""
    if config.embedder == "hashed-words":
        return HashedWordsEmbedder()
    from runtime.providers.minilm_onnx import OnnxMiniLmEmbedder

    return ShortUtteranceCache(OnnxMiniLmEmbedder(cache=cache))


def build_voice_catalog(config: ProviderConfig) -> VoiceCatalog:
    """For the voice picker: ElevenLabs (the company's key or the platform's) or the doubles'."""
    if config.mode == "doubles":
        return _synthetic_speech(config)
    from runtime.providers.elevenlabs_tts import ElevenLabsSynthesizer

    return ElevenLabsSynthesizer(config.elevenlabs_api_key)
