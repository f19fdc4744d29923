"""The company's ElevenLabs voice: pick one from the catalog, hear a sample."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import Field

from runtime.actors.speech import voice_request
from runtime.conversation.snapshot import VoiceSettings
from runtime.providers.audio import synthesize_wav
from runtime.providers.base import ProviderError, VoiceRequest
from runtime.serve.auth import CompanyGuard
from runtime.serve.errors import ApiError
from runtime.serve.routers.twilio_voice import router as twilio_router
from runtime.serve.services import Services
from runtime.serve.views import services_of
from tenancy.models import Company
from tenancy.models.common import ApiModel

router = APIRouter(prefix="/api/company/{company_id}/elevenlabs", tags=["voice"])

DEFAULT_SAMPLE = "Thanks for calling {companyName}. How can I help you today?"


def company_voice(company: Company) -> VoiceRequest | None:
    """The same voice the company's calls use (see `runtime.actors.speech.voice_request`)."""
    voice = company.aiSettings.elevenLabs
    return voice_request(VoiceSettings.of(voice), voice.apiKey)


def _provider_unavailable(exc: ProviderError) -> ApiError:
    return ApiError(502, "VOICE_PROVIDER_ERROR", f"the voice provider failed: {exc}")


@router.get("/voices", summary="Voices the company can use (its own key or the platform's)")
async def list_voices(
    request: Request, access: CompanyGuard, search: str | None = Query(None, max_length=100)
) -> list[dict[str, Any]]:
    services = services_of(request)
    company = await services.registry.get(access.company_id)
    return await company_voices(services, company, search)


async def company_voices(services: Services, company: Company, search: str | None = None
                         ) -> list[dict[str, Any]]:
    """The catalog as the company's key (or the platform's) sees it."""
    own = company.aiSettings.elevenLabs
    try:
        return await services.voices.list_voices(own.apiKey if own.useOwnApiKey else None, search)
    except ProviderError as exc:
        raise _provider_unavailable(exc) from exc


class VoiceTest(ApiModel):
    text: Annotated[str, Field(min_length=1, max_length=300)] | None = None


@dataclass(frozen=True)
class VoiceSample:
    token: str  # the audio store's token: GET /api/twilio/audio/{token}.wav
    voice_id: str
    size: int
    text: str

    @property
    def path(self) -> str:
        return f"{twilio_router.prefix}/audio/{self.token}.wav"


async def synthesize_sample(services: Services, company: Company, text: str | None
                            ) -> VoiceSample:
    """A sample in the company's voice, kept in the audio store (the console plays it too)."""
    voice = company_voice(company)
    if voice is None:
        raise ApiError(409, "NO_VOICE", "pick aiSettings.elevenLabs.voiceId first")
    platform_voice = services.settings.provider_config().platform_voice
    if services.speech is None or (voice.api_key is None and not platform_voice):
        raise ApiError(409, "TTS_NOT_CONFIGURED", "no ElevenLabs key pays for this voice: set "
                       "ELEVENLABS_API_KEY, or the company's own key with useOwnApiKey")
    text = text or DEFAULT_SAMPLE.format(companyName=company.companyName)
    try:
        wav = await synthesize_wav(services.speech, text, voice)
    except ProviderError as exc:
        raise _provider_unavailable(exc) from exc
    return VoiceSample(await services.audio.put(wav), voice.voice_id, len(wav), text)


@router.post("/test", summary="Synthesize a sample in the company's voice; returns its URL")
async def test_voice(request: Request, access: CompanyGuard, body: VoiceTest) -> dict[str, Any]:
    services = services_of(request)
    company = await services.registry.get(access.company_id)
    sample = await synthesize_sample(services, company, body.text)
    base = services.settings.public_base_url.rstrip("/")
    return {"audioUrl": base + sample.path, "voiceId": sample.voice_id,
            "bytes": sample.size, "text": sample.text}
