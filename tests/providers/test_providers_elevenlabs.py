"""ElevenLabs request shaping, per-company keys and voice search, with a fake SDK client."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

import httpx
import pytest
from elevenlabs import AsyncElevenLabs, VoiceSettings
from elevenlabs.core.api_error import ApiError
from elevenlabs.types import GetVoicesV2Response

from runtime.providers.base import ProviderError, VoiceRequest
from runtime.providers.elevenlabs_tts import ElevenLabsSynthesizer, build_tts_request

PLATFORM_KEY = "sk_platform_0000"
COMPANY_KEY = "sk_company_1111"
VOICE = VoiceRequest(
    voice_id="FakeVoice0000000001x",
    stability=0.4,
    similarity_boost=0.8,
    style=0.1,
    use_speaker_boost=False,
    speed=1.1,
)


class FakeTextToSpeech:
    def __init__(self, chunks: list[bytes], fail_with: Exception | None) -> None:
        self.chunks, self.fail_with = chunks, fail_with
        self.calls: list[dict[str, Any]] = []

    async def stream(self, voice_id: str, **kwargs: Any) -> AsyncIterator[bytes]:
        self.calls.append({"voice_id": voice_id, **kwargs})
        for chunk in self.chunks:
            yield chunk
        if self.fail_with is not None:
            raise self.fail_with


class FakeVoices:
    def __init__(self, response: GetVoicesV2Response) -> None:
        self.response = response
        self.fail_with: Exception | None = None
        self.calls: list[dict[str, Any]] = []

    async def search(self, **kwargs: Any) -> GetVoicesV2Response:
        self.calls.append(kwargs)
        if self.fail_with is not None:
            raise self.fail_with
        return self.response


VOICES = GetVoicesV2Response.model_validate(
    {
        "voices": [
            {
                "voice_id": "FakeVoice0000000001x",
                "name": "Mark",
                "category": "premade",
                "labels": {"accent": "american", "gender": "male"},
            },
            {"voice_id": "21m00Tcm4TlvDq8ikWAM", "name": "Rachel", "category": "cloned"},
        ],
        "has_more": False,
        "total_count": 2,
    }
)


class FakeElevenLabs:
    def __init__(self, api_key: str, chunks: list[bytes], fail_with: Exception | None) -> None:
        self.api_key = api_key
        self.text_to_speech = FakeTextToSpeech(chunks, fail_with)
        self.voices = FakeVoices(VOICES)


class FakeFactory:
    """Builds one fake client per key, remembering each, like the SDK factory would."""

    def __init__(
        self, chunks: Sequence[bytes] = (b"\xff" * 160,), fail_with: Exception | None = None
    ) -> None:
        self.chunks, self.fail_with = list(chunks), fail_with
        self.clients: list[FakeElevenLabs] = []

    def __call__(self, api_key: str) -> FakeElevenLabs:
        client = FakeElevenLabs(api_key, self.chunks, self.fail_with)
        self.clients.append(client)
        return client


async def speak(tts: ElevenLabsSynthesizer, voice: VoiceRequest, text: str = "Hello.") -> bytes:
    return b"".join([chunk async for chunk in tts.stream(text, voice)])


def test_request_uses_flash_ulaw_and_the_voice_settings() -> None:
    kwargs = build_tts_request("We can come today.", VOICE)

    assert kwargs["voice_id"] == "FakeVoice0000000001x"
    assert kwargs["text"] == "We can come today."
    assert kwargs["model_id"] == "eleven_flash_v2_5"
    assert kwargs["output_format"] == "ulaw_8000"
    settings = kwargs["voice_settings"]
    assert isinstance(settings, VoiceSettings)
    assert settings == VoiceSettings.model_validate(
        {
            "stability": 0.4,
            "similarity_boost": 0.8,
            "style": 0.1,
            "use_speaker_boost": False,
            "speed": 1.1,
        }
    )
    assert COMPANY_KEY not in repr(build_tts_request("x", VoiceRequest("v", api_key=COMPANY_KEY)))


async def test_stream_passes_chunks_through_and_sends_the_shaped_request() -> None:
    factory = FakeFactory(chunks=[b"\x01" * 160, b"", b"\x02" * 80])
    tts = ElevenLabsSynthesizer(PLATFORM_KEY, client_factory=factory)

    audio = await speak(tts, VOICE, "We can come today.")

    assert audio == b"\x01" * 160 + b"\x02" * 80
    (client,) = factory.clients
    assert client.api_key == PLATFORM_KEY
    assert client.text_to_speech.calls == [build_tts_request("We can come today.", VOICE)]


async def test_company_key_gets_its_own_cached_client() -> None:
    factory = FakeFactory()
    tts = ElevenLabsSynthesizer(PLATFORM_KEY, client_factory=factory)
    own_voice = VoiceRequest(voice_id="CompanyVoice01", api_key=COMPANY_KEY)

    for voice in (own_voice, VOICE, own_voice, VOICE):
        await speak(tts, voice)

    assert [c.api_key for c in factory.clients] == [COMPANY_KEY, PLATFORM_KEY]
    company_client, platform_client = factory.clients
    assert [c["voice_id"] for c in company_client.text_to_speech.calls] == ["CompanyVoice01"] * 2
    assert len(platform_client.text_to_speech.calls) == 2


async def test_client_cache_is_bounded() -> None:
    factory = FakeFactory()
    tts = ElevenLabsSynthesizer(None, client_factory=factory, max_clients=2)
    for key in ("k1", "k2", "k1", "k3", "k1", "k2"):
        await speak(tts, VoiceRequest("voice", api_key=key))
    # k2 was least recently used when k3 arrived, so it had to be rebuilt.
    assert [c.api_key for c in factory.clients] == ["k1", "k2", "k3", "k2"]


async def test_no_key_anywhere_is_a_provider_error() -> None:
    factory = FakeFactory()
    tts = ElevenLabsSynthesizer(None, client_factory=factory)
    with pytest.raises(ProviderError, match="no ElevenLabs API key"):
        await speak(tts, VOICE)
    assert factory.clients == []


@pytest.mark.parametrize(
    "failure",
    [
        ApiError(status_code=401, body={"detail": f"invalid api key {COMPANY_KEY}"}),
        httpx.ConnectTimeout("timed out"),
    ],
)
async def test_failures_become_provider_errors_without_the_key(failure: Exception) -> None:
    tts = ElevenLabsSynthesizer(PLATFORM_KEY, client_factory=FakeFactory(fail_with=failure))
    with pytest.raises(ProviderError) as raised:
        await speak(tts, VoiceRequest("voice", api_key=COMPANY_KEY))
    assert raised.value.__cause__ is failure
    assert COMPANY_KEY not in str(raised.value)
    assert PLATFORM_KEY not in str(raised.value)


async def test_list_voices_returns_plain_dicts_for_the_right_key() -> None:
    factory = FakeFactory()
    tts = ElevenLabsSynthesizer(PLATFORM_KEY, client_factory=factory)

    voices = await tts.list_voices(COMPANY_KEY, "mark", page_size=500)

    assert voices == [
        {
            "voice_id": "FakeVoice0000000001x",
            "name": "Mark",
            "category": "premade",
            "labels": {"accent": "american", "gender": "male"},
        },
        {"voice_id": "21m00Tcm4TlvDq8ikWAM", "name": "Rachel", "category": "cloned", "labels": {}},
    ]
    (client,) = factory.clients
    assert client.api_key == COMPANY_KEY
    assert client.voices.calls == [{"search": "mark", "page_size": 100}]


async def test_list_voices_failure_is_a_provider_error() -> None:
    factory = FakeFactory()
    tts = ElevenLabsSynthesizer(PLATFORM_KEY, client_factory=factory)

    await tts.list_voices(None)  # builds the platform client
    factory.clients[0].voices.fail_with = ApiError(status_code=401, body="unauthorized")
    with pytest.raises(ProviderError, match="voice search"):
        await tts.list_voices(None)


async def test_default_factory_builds_sdk_clients_on_one_pool_without_network() -> None:
    tts = ElevenLabsSynthesizer(PLATFORM_KEY)
    platform = tts._client_for(None)
    company = tts._client_for(COMPANY_KEY)
    assert isinstance(platform, AsyncElevenLabs)
    assert platform is not company
    assert tts._http is not None
    await tts.aclose()
    assert tts._http is None
