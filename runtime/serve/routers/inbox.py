"""A company's inbox (messages the agent took) and the notifications sent about them."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Path, Query, Request

from runtime.serve.auth import CompanyGuard
from runtime.serve.errors import ApiError
from runtime.serve.services import Services
from runtime.serve.views import record_view, services_of
from tenancy.models import is_object_id
from tenancy.models.messages import MessageUpdate, Notification, TakenMessage
from tenancy.store import TenantStore

router = APIRouter(prefix="/api/company/{company_id}", tags=["inbox"])

LIST_LIMIT = 500


async def _store(request: Request, company_id: str) -> TenantStore:
    return await company_store(services_of(request), company_id)


async def company_store(services: Services, company_id: str) -> TenantStore:
    """The company's store, once the company is known to exist (404 otherwise)."""
    await services.registry.get(company_id)
    return services.registry.tenant(company_id)


@router.get("/messages", summary="Messages the agent took, newest first")
async def list_messages(
    request: Request, access: CompanyGuard,
    status: Literal["new", "handled"] | None = Query(default=None),
    limit: int = Query(default=100, ge=1, le=LIST_LIMIT),
) -> list[dict[str, Any]]:
    store = await _store(request, access.company_id)
    return [record_view(m) for m in await newest_messages(store, status, limit)]


@router.patch("/messages/{record_id}", summary="Mark a message handled (or new again)")
async def update_message(
    request: Request, access: CompanyGuard, body: MessageUpdate,
    record_id: str = Path(max_length=64),
) -> dict[str, Any]:
    if not is_object_id(record_id):
        raise ApiError(400, "INVALID_ID", "message id must be 24 hexadecimal characters")
    store = await _store(request, access.company_id)
    return record_view(await store.messages.update(record_id, body))


@router.get("/notifications", summary="Texts and emails sent to staff, newest first")
async def list_notifications(
    request: Request, access: CompanyGuard,
    limit: int = Query(default=100, ge=1, le=LIST_LIMIT),
) -> list[dict[str, Any]]:
    store = await _store(request, access.company_id)
    return [record_view(n) for n in await newest_notifications(store, limit)]


async def newest_messages(store: TenantStore, status: str | None, limit: int
                          ) -> list[TakenMessage]:
    """Up to `limit` messages, newest first, of one status (None: any)."""
    messages = [m for m in await store.messages.list() if status in (None, m.status)]
    return list(reversed(messages))[:limit]


async def newest_notifications(store: TenantStore, limit: int) -> list[Notification]:
    return list(reversed(await store.notifications.list()))[:limit]
