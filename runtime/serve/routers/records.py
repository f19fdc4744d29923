"""CRUD routes for a company's record collections (knowledge, employees, contacts).

One factory builds all three so they behave identically: list, create, update
(PUT with the fields to change), delete, each behind the company guard.
"""


from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Path, Request

from runtime.serve.auth import CompanyGuard
from runtime.serve.errors import ApiError
from runtime.serve.routers.knowledge import after_knowledge_delete, after_knowledge_write
from runtime.serve.views import record_view, services_of
from tenancy.models import (
    ApiModel,
    ContactFields,
    ContactUpdate,
    EmployeeFields,
    EmployeeUpdate,
    QnAFields,
    QnAUpdate,
    is_object_id,
)
from tenancy.records import RecordCollection
from tenancy.store import TenantStore

CollectionOf = Callable[[TenantStore], RecordCollection[Any]]
# After a record is created or changed: extra fields for the response (e.g. notes).
AfterWrite = Callable[[Request, TenantStore, Any], Awaitable[dict[str, Any]]]
AfterDelete = Callable[[Request, TenantStore, str], Awaitable[None]]


async def _nothing_more(request: Request, store: TenantStore, record: Any) -> dict[str, Any]:
    return {}


async def _nothing_to_forget(request: Request, store: TenantStore, record_id: str) -> None:
    return None


def _record_id(value: str) -> str:
    if not is_object_id(value):
        raise ApiError(400, "INVALID_ID", "record id must be 24 hexadecimal characters")
    return value


def record_router(
    segment: str,
    collection_of: CollectionOf,
    create_model: type[ApiModel],
    update_model: type[ApiModel],
    *,
    create_aliases: tuple[str, ...] = (),
    after_write: AfterWrite = _nothing_more,
    after_delete: AfterDelete = _nothing_to_forget,
) -> APIRouter:
    router = APIRouter(prefix="/api/company/{company_id}", tags=[segment])
    item_path = f"/{segment}/{{record_id}}"

    def store_of(request: Request, access: Any) -> TenantStore:
        return services_of(request).registry.tenant(access.company_id)

    def collection(request: Request, access: Any) -> RecordCollection[Any]:
        return collection_of(store_of(request, access))

    async def ensure_company(request: Request, access: Any) -> None:
        await services_of(request).registry.get(access.company_id)

    @router.get(f"/{segment}", summary=f"List {segment}")
    async def list_records(request: Request, access: CompanyGuard) -> list[dict[str, Any]]:
        await ensure_company(request, access)
        return [record_view(r) for r in await collection(request, access).list()]

    async def create_record(
        request: Request, access: CompanyGuard, body: create_model  # type: ignore[valid-type]
    ) -> dict[str, Any]:
        await ensure_company(request, access)
        store = store_of(request, access)
        record = await collection_of(store).add(body)
        return {**record_view(record), **await after_write(request, store, record)}

    for path in (f"/{segment}", *create_aliases):
        router.post(path, status_code=201, summary=f"Add to {segment}")(create_record)

    @router.put(item_path, summary=f"Change one of {segment}")
    async def update_record(
        request: Request,
        access: CompanyGuard,
        body: update_model,  # type: ignore[valid-type]
        record_id: str = Path(max_length=64),
    ) -> dict[str, Any]:
        await ensure_company(request, access)
        store = store_of(request, access)
        updated = await collection_of(store).update(_record_id(record_id), body)
        return {**record_view(updated), **await after_write(request, store, updated)}

    @router.delete(item_path, summary=f"Delete one of {segment}")
    async def delete_record(
        request: Request, access: CompanyGuard, record_id: str = Path(max_length=64)
    ) -> dict[str, Any]:
        await ensure_company(request, access)
        store = store_of(request, access)
        removed = await collection_of(store).delete(_record_id(record_id))
        await after_delete(request, store, removed.id)
        return {"deleted": True, "_id": removed.id}

    return router


knowledge_router = record_router(
    "knowledge", lambda store: store.knowledge, QnAFields, QnAUpdate, create_aliases=("/qna",),
    after_write=after_knowledge_write, after_delete=after_knowledge_delete,
)
employees_router = record_router(
    "employees", lambda store: store.employees, EmployeeFields, EmployeeUpdate
)
contacts_router = record_router(
    "contacts", lambda store: store.contacts, ContactFields, ContactUpdate
)
