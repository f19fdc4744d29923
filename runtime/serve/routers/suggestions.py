"""The learning loop's review routes: suggestions to approve or reject, and its funnel.

Every read first brings the company's suggestions up to date with the gaps logged since
the last read (`runtime.learning.suggestions`: incremental, behind a watermark).
Approving creates the knowledge entry exactly as `POST /knowledge` does (the entry, then
its vector), so the next call answers from it.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path, Query, Request
from redis.exceptions import LockError

from runtime.serve.auth import CompanyGuard
from runtime.serve.errors import ApiError
from runtime.serve.routers.call_logs import DateFrom, DateTo, Engine, query_call_logs
from runtime.serve.routers.knowledge import after_knowledge_write
from runtime.serve.views import record_view, services_of
from tenancy.models import CompanyQnA, QnAFields, is_object_id
from tenancy.models.suggestions import Suggestion, SuggestionApproval, SuggestionStatus
from tenancy.store import TenantStore

router = APIRouter(tags=["learning"])
SUGGESTIONS = "/api/company/{company_id}/suggestions"
LIST_LIMIT = 500
REPORT_SUGGESTIONS = 20


async def _store(request: Request, company_id: str) -> TenantStore:
    """The company's store (404 for an unknown company)."""
    services = services_of(request)
    await services.registry.get(company_id)
    return services.registry.tenant(company_id)


async def _refreshed(request: Request, company_id: str) -> TenantStore:
    """The company's store, its suggestions refreshed (404 for an unknown company)."""
    services = services_of(request)
    company = await services.registry.get(company_id)
    store = services.registry.tenant(company_id)
    await services.learning.refresh(store, company)
    return store


def _ranked(suggestions: list[Suggestion]) -> list[Suggestion]:
    """Open ones first, most asked first, then the most recently asked."""
    by_recency = sorted(suggestions, key=lambda s: s.lastSeen, reverse=True)
    return sorted(by_recency, key=lambda s: (s.status != "open", -s.askedCount))


def _suggestion_id(value: str) -> str:
    if not is_object_id(value):
        raise ApiError(400, "INVALID_ID", "suggestion id must be 24 hexadecimal characters")
    return value


async def ranked_suggestions(request: Request, company_id: str,
                             status: SuggestionStatus | None, limit: int) -> list[Suggestion]:
    """The company's suggestions (refreshed first) with `status`, open and most asked first."""
    store = await _refreshed(request, company_id)
    suggestions = [s for s in await store.suggestions.list() if status in (None, s.status)]
    return _ranked(suggestions)[:limit]


async def approve(request: Request, company_id: str, suggestion_id: str, answer: str | None
                  ) -> tuple[Suggestion, dict[str, Any]]:
    """The approved suggestion and its new knowledge entry's view. The entry is written as
    `POST /knowledge` writes one (the entry, then its vector), and taken back if the
    approval cannot be saved. Raises ApiError (bad id, busy) or the store's errors."""
    store = await _store(request, company_id)
    extra: dict[str, Any] = {}

    async def add_entry(fields: QnAFields) -> CompanyQnA:  # as POST /knowledge does
        entry: CompanyQnA = await store.knowledge.add(fields)
        extra.update(await after_knowledge_write(request, store, entry))
        return entry

    try:
        suggestion, entry = await services_of(request).learning.approve(
            store, _suggestion_id(suggestion_id), answer, add_entry)
    except LockError as exc:
        raise ApiError(409, "BUSY", "suggestions are being updated; try again") from exc
    return suggestion, {**record_view(entry), **extra}


async def reject(request: Request, company_id: str, suggestion_id: str) -> Suggestion:
    store = await _store(request, company_id)
    try:
        return await services_of(request).learning.reject(store, _suggestion_id(suggestion_id))
    except LockError as exc:
        raise ApiError(409, "BUSY", "suggestions are being updated; try again") from exc


@router.get(SUGGESTIONS, summary="Questions callers asked that the knowledge base lacks")
async def list_suggestions(
    request: Request, access: CompanyGuard,
    status: SuggestionStatus | None = Query(default=None),
    limit: int = Query(default=100, ge=1, le=LIST_LIMIT),
) -> list[dict[str, Any]]:
    return [record_view(s) for s in
            await ranked_suggestions(request, access.company_id, status, limit)]


@router.post(f"{SUGGESTIONS}/{{suggestion_id}}/approve",
             summary="Add a suggestion to the knowledge base (optionally with an edited answer)")
async def approve_suggestion(
    request: Request, access: CompanyGuard, body: SuggestionApproval | None = None,
    suggestion_id: str = Path(max_length=64),
) -> dict[str, Any]:
    suggestion, entry = await approve(request, access.company_id, suggestion_id,
                                      body.answer if body else None)
    return {"suggestion": record_view(suggestion), "knowledge": entry}


@router.post(f"{SUGGESTIONS}/{{suggestion_id}}/reject",
             summary="Dismiss a suggestion: its questions stop coming back")
async def reject_suggestion(
    request: Request, access: CompanyGuard, suggestion_id: str = Path(max_length=64),
) -> dict[str, Any]:
    return record_view(await reject(request, access.company_id, suggestion_id))


@router.get("/api/learning/analytics/{company_id}",
            summary="Knowledge gaps, open suggestions and the learning funnel")
async def learning_analytics(
    request: Request, access: CompanyGuard, date_from: str | None = DateFrom,
    date_to: str | None = DateTo, engine: str = Engine,
) -> dict[str, Any]:
    report: dict[str, Any] = await query_call_logs(request, access, "learning", date_from,
                                                   date_to, engine)
    open_ones = await ranked_suggestions(request, access.company_id, "open",
                                         REPORT_SUGGESTIONS)
    store = services_of(request).registry.tenant(access.company_id)
    return {
        **report,
        "suggestions": [record_view(s) for s in open_ones],
        "funnel": await services_of(request).learning.funnel(store),
    }
