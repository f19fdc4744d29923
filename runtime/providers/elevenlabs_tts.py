"""ElevenLabs as the agent's voice, through the `elevenlabs` SDK (`AsyncElevenLabs`).

A company that brings its own key (`useOwnApiKey`) is billed on that key: one SDK client per
distinct key, cached, all sharing one HTTP connection pool. Keys never appear in errors.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
from elevenlabs import AsyncElevenLabs, VoiceSettings

from runtime.providers.base import ProviderError, VoiceRequest

OUTPUT_FORMAT = "ulaw_8000"  # exactly Twilio's telephony audio: μ-law, 8 kHz, mono
MAX_VOICE_PAGE = 100  # the API's own page-size cap for voices.search

ClientFactory = Callable[[str], Any]


def voice_settings_for(voice: VoiceRequest) -> VoiceSettings:
    return VoiceSettings(
        stability=voice.stability,
        similarity_boost=voice.similarity_boost,
        style=voice.style,
        use_speaker_boost=voice.use_speaker_boost,
        speed=voice.speed,
    )


def build_tts_request(text: str, voice: VoiceRequest) -> dict[str, Any]:
    """Keyword arguments for `client.text_to_speech.stream` (the key is not among them)."""
    return {
        "voice_id": voice.voice_id,
        "text": text,
        "model_id": voice.model_id,
        "output_format": OUTPUT_FORMAT,
        "voice_settings": voice_settings_for(voice),
    }


def voice_summary(voice: Any) -> dict[str, Any]:
    """The fields the admin UI needs from an SDK `Voice`, as plain JSON-ready data."""
    category = getattr(voice, "category", None)
    return {
        "voice_id": voice.voice_id,
        "name": voice.name,
        "category": str(category) if category is not None else None,
        "labels": dict(voice.labels or {}),
    }


class ElevenLabsSynthesizer:
    """`SpeechSynthesizer` backed by ElevenLabs streaming text-to-speech."""

    def __init__(
        self,
        default_api_key: str | None,
        *,
        client_factory: ClientFactory | None = None,
        max_clients: int = 256,
        request_timeout_s: float = 30.0,
    ) -> None:
        self._default_key = default_api_key
        self._factory = client_factory or self._sdk_client
        self._clients: OrderedDict[str, Any] = OrderedDict()
        self._max_clients = max_clients
        self._timeout_s = request_timeout_s
        self._http: httpx.AsyncClient | None = None

    def _sdk_client(self, api_key: str) -> AsyncElevenLabs:
        if self._http is None:
            self._http = httpx.AsyncClient(timeout=self._timeout_s)
        return AsyncElevenLabs(api_key=api_key, httpx_client=self._http)

    def _client_for(self, api_key: str | None) -> Any:
        """The company's own key when given, else the platform's; LRU-cached per key."""
        key = api_key or self._default_key
        if not key:
            raise ProviderError(
                "no ElevenLabs API key: none configured for the company or platform"
            )
        client = self._clients.get(key)
        if client is None:
            client = self._clients[key] = self._factory(key)
            if len(self._clients) > self._max_clients:
                self._clients.popitem(last=False)
        else:
            self._clients.move_to_end(key)
        return client

    def _failure(self, action: str, exc: Exception, api_key: str | None) -> ProviderError:
        message = f"ElevenLabs {action} failed: {type(exc).__name__}: {exc}"
        for key in (api_key, self._default_key):
            if key:
                message = message.replace(key, "***")
        return ProviderError(message)

    async def stream(self, text: str, voice: VoiceRequest) -> AsyncIterator[bytes]:
        client = self._client_for(voice.api_key)
        try:
            async for chunk in client.text_to_speech.stream(**build_tts_request(text, voice)):
                if chunk:
                    yield chunk
        except Exception as exc:  # SDK, HTTP and validation errors all mean "fall back"
            raise self._failure("text-to-speech", exc, voice.api_key) from exc

    async def list_voices(
        self, api_key: str | None, search: str | None = None, page_size: int = MAX_VOICE_PAGE
    ) -> list[dict[str, Any]]:
        """Voices visible to the key (the company's or the platform's), for the voice picker."""
        client = self._client_for(api_key)
        try:
            page = await client.voices.search(
                search=search or None, page_size=max(1, min(page_size, MAX_VOICE_PAGE))
            )
        except Exception as exc:
            raise self._failure("voice search", exc, api_key) from exc
        return [voice_summary(voice) for voice in page.voices]

    async def aclose(self) -> None:
        """Close the shared HTTP pool (on actor or replica shutdown)."""
        self._clients.clear()
        if self._http is not None:
            await self._http.aclose()
            self._http = None
