"""Platform-admin routes for companies: every company, creating and reactivating them.

The users' routes are in users.py."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request

from runtime.serve.auth import Principal, require_platform_admin
from runtime.serve.errors import ApiError
from runtime.serve.views import company_view, services_of
from tenancy.legacy.company import CompanyDocument
from tenancy.models import is_object_id

router = APIRouter(tags=["platform"], dependencies=[Depends(require_platform_admin)])
PlatformAdmin = Annotated[Principal, Depends(require_platform_admin)]


@router.get("/api/admin/companies", summary="Every company (platform admins only)")
async def list_companies(request: Request) -> list[dict[str, Any]]:
    companies = await services_of(request).registry.list()
    return [company_view(company) for company in companies]


@router.post("/api/admin/companies/{company_id}/reactivate",
             summary="Reactivate a deactivated company (its numbers are claimed back)")
async def reactivate_company(
    request: Request, company_id: Annotated[str, Path(max_length=64)]
) -> dict[str, Any]:
    if not is_object_id(company_id):
        raise ApiError(400, "INVALID_ID", "company id must be 24 hexadecimal characters")
    company = await services_of(request).registry.reactivate(company_id)
    return company_view(company)


@router.post("/api/company", status_code=201, summary="Create a company",
             description="Takes our company profile or the original platform's Company "
                         "document (kept `_id`; changes made on the way are in `warnings`).")
async def create_company(request: Request, document: CompanyDocument) -> dict[str, Any]:
    company = await services_of(request).registry.create(
        document.profile(), company_id=document.id, created_at=document.createdAt)
    view = company_view(company)
    if document.warnings:
        view["warnings"] = document.warnings
    return view
