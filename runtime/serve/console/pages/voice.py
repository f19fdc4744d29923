"""The company's ElevenLabs voice: pick one from the catalog (the voices route's provider),
tune it, and hear a sample made by the voice test route's code."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from runtime.serve.console.access import CompanyPage
from runtime.serve.console.forms import Field, Kind, literal_choices
from runtime.serve.console.nav import register_page
from runtime.serve.console.pages.company_form import save, show
from runtime.serve.errors import ApiError
from runtime.serve.routers.voice import company_voices, synthesize_sample
from runtime.serve.views import services_of
from tenancy.models.company import ElevenLabsSettings

router = APIRouter(prefix="/console/company/{company_id}", include_in_schema=False)
register_page("Voice", "voice", order=32)

VOICE = "aiSettings.elevenLabs."
SETTINGS: list[tuple[str, Kind]] = [
    ("voiceId", "optional"), ("modelId", "text"), ("stability", "text"),
    ("similarityBoost", "text"), ("style", "text"), ("speed", "text"),
    ("useSpeakerBoost", "bool"), ("useOwnApiKey", "bool"), ("apiKey", "keep"),
]
FIELDS = [Field(VOICE + name, kind) for name, kind in SETTINGS]


async def _choices(request: Request, page: CompanyPage) -> dict[str, Any]:
    """The catalog for the voice picker; if the provider fails, the page says so."""
    try:
        voices = await company_voices(services_of(request), page.company)
        problem = None
    except ApiError as exc:
        voices, problem = [], exc.message
    options = [("", "No voice chosen")] + [
        (v["voice_id"], f"{v['name']} ({v.get('category', 'voice')})") for v in voices]
    return {"voice_options": options, "voice_problem": problem,
            "models": literal_choices(ElevenLabsSettings, "modelId")}


@router.get("/voice")
async def voice(request: Request, page: CompanyPage) -> Response:
    return await show(request, page, "voice.html", FIELDS, **await _choices(request, page))


@router.post("/voice")
async def save_voice(request: Request, page: CompanyPage) -> Response:
    return await save(request, page, "voice.html", FIELDS, **await _choices(request, page))


@router.post("/voice/sample")
async def voice_sample(request: Request, page: CompanyPage) -> Response:
    form = await request.form()
    text = str(form.get("sample_text", "")).strip()[:300] or None
    try:
        sample = await synthesize_sample(services_of(request), page.company, text)
    except ApiError as exc:
        return await show(request, page, "voice.html", FIELDS, sample_error=exc.message,
                          **await _choices(request, page))
    return await show(request, page, "voice.html", FIELDS, sample=sample,
                      **await _choices(request, page))
