"""The agent's AI settings: model, personality, response length, the knowledge threshold,
escalation and memory (the fields `PATCH /api/company/{id}/ai-settings` changes)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from runtime.serve.console.access import CompanyPage
from runtime.serve.console.forms import Field, Kind, literal_choices
from runtime.serve.console.nav import register_page
from runtime.serve.console.pages.company_form import save, show
from tenancy.models.company import AI_MODELS, AiSettings, ContextualMemory

router = APIRouter(prefix="/console/company/{company_id}", include_in_schema=False)
register_page("AI settings", "ai", order=30)

SETTINGS: list[tuple[str, Kind]] = [
    ("model", "text"), ("personality", "text"), ("responseLength", "text"),
    ("language", "text"), ("temperature", "text"),
    ("semanticKnowledge.enabled", "bool"), ("semanticKnowledge.confidenceThreshold", "text"),
    ("smartEscalation.enabled", "bool"), ("smartEscalation.sentimentTrigger", "bool"),
    ("smartEscalation.contextualHandoffs", "bool"),
    ("smartEscalation.sentimentThreshold", "text"),
    ("smartEscalation.maxMissesBeforeOffer", "text"),
    ("smartEscalation.escalationPhrases", "lines"),
    ("contextualMemory.enabled", "bool"), ("contextualMemory.personalizationLevel", "text"),
    ("contextualMemory.memoryRetentionHours", "text"),
]
FIELDS = [Field("aiSettings." + name, kind) for name, kind in SETTINGS]
CHOICES: dict[str, Any] = {
    "models": list(AI_MODELS),
    "personalities": literal_choices(AiSettings, "personality"),
    "lengths": literal_choices(AiSettings, "responseLength"),
    "levels": literal_choices(ContextualMemory, "personalizationLevel"),
}


@router.get("/ai")
async def ai_settings(request: Request, page: CompanyPage) -> Response:
    return await show(request, page, "ai.html", FIELDS, **CHOICES)


@router.post("/ai")
async def save_ai_settings(request: Request, page: CompanyPage) -> Response:
    return await save(request, page, "ai.html", FIELDS, **CHOICES)
