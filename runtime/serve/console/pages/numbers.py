"""The company's phone numbers: the list, and adding one by the API's claim rules
(`POST /api/company/{id}/phone-numbers`: a company admin only claims numbers its own
Twilio account owns; a number another company holds is refused)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from runtime.serve.console.access import CompanyConsole, CompanyPage
from runtime.serve.console.forms import Field, field_errors, flat_values, model_errors, read_form
from runtime.serve.console.nav import register_page
from runtime.serve.console.rendering import render, see_other
from runtime.serve.errors import ApiError
from runtime.serve.number_claims import claim_approval
from runtime.serve.views import services_of
from tenancy.errors import Conflict, InvalidDocument
from tenancy.models.company import TwilioPhoneNumber

router = APIRouter(prefix="/console/company/{company_id}", include_in_schema=False)
register_page("Phone numbers", "phone-numbers", order=33)

FIELDS = [Field("phoneNumber"), Field("friendlyName"), Field("isPrimary", "bool")]
NAMES = [field.name for field in FIELDS]


async def _numbers_page(request: Request, page: CompanyConsole, status: int = 200,
                        **context: Any) -> Response:
    return await render(request, "numbers.html", page=page, status=status,
                        numbers=page.company.twilioConfig.phoneNumbers, **context)


@router.get("/phone-numbers")
async def phone_numbers(request: Request, page: CompanyPage) -> Response:
    return await _numbers_page(request, page, values={})


@router.post("/phone-numbers")
async def add_phone_number(request: Request, page: CompanyPage) -> Response:
    form = await request.form()
    services = services_of(request)
    try:
        entry = TwilioPhoneNumber.model_validate(read_form(form, FIELDS))
        await services.registry.add_phone_number(
            page.company_id, entry, claim_approval(services.numbers, page.user.principal))
    except ValidationError as exc:
        errors = model_errors(exc, NAMES)
    except InvalidDocument as exc:
        errors = field_errors(exc.details or [{"field": "", "message": str(exc)}], NAMES)
    except (Conflict, ApiError) as exc:
        errors = {"phoneNumber": exc.message if isinstance(exc, ApiError) else str(exc)}
    else:
        return see_other(f"/console/company/{page.company_id}/phone-numbers", "added")
    return await _numbers_page(request, page, 422, values=flat_values(form, FIELDS),
                               errors=errors)
