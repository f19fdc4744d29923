"""Which providers a process gets for its configuration, and that building them stays offline."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from runtime.providers.base import ChatMessage, LlmRequest, ProviderError, TextDelta, VoiceRequest
from runtime.providers.circuit import GuardedLanguageModel, GuardedSynthesizer
from runtime.providers.doubles import ScriptedLanguageModel, SyntheticSpeech
from runtime.providers.elevenlabs_tts import ElevenLabsSynthesizer
from runtime.providers.factory import (
    CompanyKeysOnlySpeech,
    ProviderConfig,
    build_language_model,
    build_synthesizer,
    build_voice_catalog,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
REQUEST = LlmRequest(
    model="gemini-2.5-flash",
    system_prompt="You answer for Acme Electric.",
    history=(ChatMessage("caller", "The breaker keeps tripping"),),
)


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to resolve or connect fails the test."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a provider client touched the network while being built")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_no_keys_in_auto_mode_means_no_model_and_speech_only_on_company_keys() -> None:
    config = ProviderConfig()
    assert build_language_model(config) is None
    assert isinstance(build_synthesizer(config).inner, CompanyKeysOnlySpeech)
    assert not config.platform_voice


def test_vendor_sdks_are_not_imported_without_keys() -> None:
    script = (
        "import sys\n"
        "from runtime.providers.factory import ProviderConfig, build_language_model, "
        "build_synthesizer\n"
        "build_language_model(ProviderConfig()); build_synthesizer(ProviderConfig())\n"
        "loaded = [m for m in ('google.genai', 'elevenlabs') if m in sys.modules]\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, cwd=REPO_ROOT)


def test_keys_in_auto_mode_build_guarded_real_clients(no_network: None) -> None:
    from runtime.providers.elevenlabs_tts import ElevenLabsSynthesizer
    from runtime.providers.gemini import GeminiLanguageModel

    config = ProviderConfig(
        gemini_api_key="gemini-test-key",
        elevenlabs_api_key="sk_platform_test",
        breaker_failure_threshold=7,
        breaker_reset_after_s=12,
        llm_first_token_timeout_s=1.5,
        tts_first_byte_timeout_s=0.8,
    )

    llm = build_language_model(config)
    tts = build_synthesizer(config)

    assert isinstance(llm, GuardedLanguageModel) and isinstance(llm.inner, GeminiLanguageModel)
    assert (llm.breaker.failure_threshold, llm.breaker.reset_after_s) == (7, 12)
    assert llm.first_token_timeout_s == 1.5
    assert isinstance(tts, GuardedSynthesizer) and isinstance(tts.inner, ElevenLabsSynthesizer)
    assert tts.first_byte_timeout_s == 0.8
    assert tts.breaker is not llm.breaker
    # a company's own key is guarded separately from the platform's
    assert tts.breaker_for(VoiceRequest("v", api_key="sk_company")) is not tts.breaker


def test_only_the_configured_vendor_is_built(no_network: None) -> None:
    config = ProviderConfig(gemini_api_key="gemini-test-key")
    assert build_language_model(config) is not None
    assert build_language_model(ProviderConfig()) is None
    assert not config.platform_voice  # companies without their own key get <Say>


async def test_company_keys_alone_enable_speech(no_network: None) -> None:
    tts = build_synthesizer(ProviderConfig())
    assert isinstance(tts, GuardedSynthesizer) and isinstance(tts.inner, CompanyKeysOnlySpeech)
    with pytest.raises(ProviderError, match="no ElevenLabs API key"):
        [chunk async for chunk in tts.stream("Hello", VoiceRequest("v"))]
    own = VoiceRequest("v", api_key="sk_company_key_1234")
    # the company's own key is used: the SDK client is built for it (no request is sent
    # because the stream is never iterated)
    tts.inner.stream("Hello", own)
    assert isinstance(tts.inner._inner, ElevenLabsSynthesizer)


async def test_doubles_mode_ignores_keys_and_answers_offline() -> None:
    config = ProviderConfig(gemini_api_key="real-key", elevenlabs_api_key="real", mode="doubles")
    llm, tts = build_language_model(config), build_synthesizer(config)

    assert isinstance(llm, GuardedLanguageModel) and isinstance(llm.inner, ScriptedLanguageModel)
    assert isinstance(tts, GuardedSynthesizer) and isinstance(tts.inner, SyntheticSpeech)
    answer = [event async for event in llm.stream(REQUEST)]
    assert "breaker keeps tripping" in "".join(e.text for e in answer if isinstance(e, TextDelta))
    audio = b"".join([chunk async for chunk in tts.stream("Hello there.", VoiceRequest("v"))])
    assert len(audio) > 0


def test_doubles_take_the_profile_and_failure_settings() -> None:
    config = ProviderConfig(
        mode="doubles", double_profile="realistic", llm_failure="hang", tts_failure="error"
    )
    llm, tts = build_language_model(config), build_synthesizer(config)

    assert isinstance(llm, GuardedLanguageModel) and isinstance(tts, GuardedSynthesizer)
    model, speech = llm.inner, tts.inner
    assert isinstance(model, ScriptedLanguageModel) and isinstance(speech, SyntheticSpeech)
    assert (model.first_token_s, model.tokens_per_s) == (0.375, 50.0)
    assert speech.first_byte_s == 0.1


async def test_injected_errors_reach_the_caller_as_provider_errors() -> None:
    config = ProviderConfig(mode="doubles", llm_failure="error", breaker_failure_threshold=2)
    llm = build_language_model(config)
    assert llm is not None
    for expected in ("injected failure", "injected failure", "circuit open"):
        with pytest.raises(ProviderError, match=expected):
            [event async for event in llm.stream(REQUEST)]


async def test_voice_catalog_follows_the_mode(no_network: None) -> None:
    from runtime.providers.elevenlabs_tts import ElevenLabsSynthesizer

    doubles = build_voice_catalog(ProviderConfig(mode="doubles"))
    assert len(await doubles.list_voices(None)) > 0
    assert isinstance(build_voice_catalog(ProviderConfig()), ElevenLabsSynthesizer)
