"""Routes on one company's document: profile, AI settings, phone numbers, voice."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request

from runtime.serve.auth import CompanyGuard
from runtime.serve.errors import ApiError
from runtime.serve.json_body import JsonPatch
from runtime.serve.number_claims import claim_approval
from runtime.serve.views import company_view, services_of
from tenancy.models.company import TwilioPhoneNumber

router = APIRouter(prefix="/api/company/{company_id}", tags=["company"])

JsonObject = dict[str, Any]


@router.get("", summary="Read a company")
async def get_company(request: Request, access: CompanyGuard) -> JsonObject:
    company = await services_of(request).registry.get(access.company_id)
    return company_view(company)


@router.patch("", summary="Change a company (deep merge; lists replace)")
async def patch_company(
    request: Request, access: CompanyGuard, changes: Annotated[JsonPatch, Body()]
) -> JsonObject:
    services = services_of(request)
    approve = claim_approval(services.numbers, access.principal)
    company = await services.registry.patch(access.company_id, changes, approve)
    return company_view(company)


@router.delete("", summary="Deactivate a company and release its phone numbers",
               description="A company admin confirms by sending the company's id as "
                           "`confirm`; only a platform admin can reactivate it.")
async def delete_company(
    request: Request, access: CompanyGuard,
    confirm: str | None = Query(default=None, max_length=64),
) -> JsonObject:
    if not access.principal.is_platform_admin and confirm != access.company_id:
        raise ApiError(400, "CONFIRMATION_REQUIRED",
                       "deactivating stops all calls and only a platform admin can undo it; "
                       "repeat the company id as ?confirm=<companyId> to go ahead")
    company = await services_of(request).registry.deactivate(access.company_id)
    return {"_id": company.id, "isActive": company.isActive}


@router.patch("/ai-settings", summary="Change the agent's AI settings")
async def patch_ai_settings(
    request: Request, access: CompanyGuard, changes: Annotated[JsonPatch, Body()]
) -> JsonObject:
    registry = services_of(request).registry
    company = await registry.patch(access.company_id, {"aiSettings": changes})
    return company_view(company)["aiSettings"]


@router.get("/phone-numbers", summary="List the company's Twilio numbers")
async def list_phone_numbers(request: Request, access: CompanyGuard) -> list[JsonObject]:
    company = await services_of(request).registry.get(access.company_id)
    return [entry.model_dump() for entry in company.twilioConfig.phoneNumbers]


@router.post("/phone-numbers", status_code=201,
             summary="Add a number its Twilio account owns (409 if another company has it)")
async def add_phone_number(
    request: Request, access: CompanyGuard, entry: TwilioPhoneNumber
) -> list[JsonObject]:
    services = services_of(request)
    approve = claim_approval(services.numbers, access.principal)
    company = await services.registry.add_phone_number(access.company_id, entry, approve)
    return [number.model_dump() for number in company.twilioConfig.phoneNumbers]
