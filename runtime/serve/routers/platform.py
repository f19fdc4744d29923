"""Platform-admin routes: every company, creating companies, and creating users."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from pydantic import Field

from runtime.serve.auth import Principal, require_platform_admin
from runtime.serve.errors import ApiError
from runtime.serve.views import company_view, services_of
from tenancy.legacy.company import CompanyDocument
from tenancy.models import is_object_id
from tenancy.models.common import ApiModel, Email
from tenancy.users import Role

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


class NewUser(ApiModel):
    email: Email
    password: Annotated[str, Field(min_length=10, max_length=200)]
    role: Role
    companyId: str | None = Field(default=None, pattern=r"^[0-9a-f]{24}$")


@router.post("/api/admin/users", status_code=201, summary="Create a user")
async def create_user(request: Request, new_user: NewUser) -> dict[str, Any]:
    services = services_of(request)
    if new_user.companyId is not None:
        await services.registry.get(new_user.companyId)
    try:
        user = await services.users.create(
            new_user.email, new_user.password, new_user.role, new_user.companyId
        )
    except ValueError as exc:
        raise ApiError(422, "VALIDATION_ERROR", str(exc).splitlines()[0]) from exc
    return {"email": user.email, "role": user.role.value, "companyId": user.companyId}
