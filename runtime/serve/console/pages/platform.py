"""Platform administrators' pages: every company (which are live) and user, new companies,
new users (one user's own page is users.py).

Companies and users are created through the same models and stores as
`POST /api/company` and `POST /api/admin/users`.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from runtime.serve.console.access import PlatformAdmin
from runtime.serve.console.forms import Field, field_errors, flat_values, model_errors, read_form
from runtime.serve.console.rendering import render, see_other
from runtime.serve.routers.users import NewUser
from runtime.serve.views import services_of
from tenancy.errors import Conflict, NotFound
from tenancy.legacy.company import CompanyDocument
from tenancy.models import Company, is_object_id
from tenancy.models.company import TradeCategory
from tenancy.users import Role

router = APIRouter(prefix="/console", include_in_schema=False)

COMPANY_FIELDS = [Field("companyName"), Field("timezone"), Field("tradeCategories", "lines"),
                  Field("companyPhone", "optional")]
USER_FIELDS = [Field("email"), Field("password"), Field("role"),
               Field("companyId", "optional")]


def is_live(company: Company) -> bool:
    """Answering calls: active, with at least one active number routed to it."""
    return company.isActive and bool(company.phone_numbers(active_only=True))


async def _companies_page(request: Request, user: PlatformAdmin, status: int = 200, *,
                          form: str = "", values: dict | None = None,
                          errors: dict[str, str] | None = None) -> Response:
    """The list and both forms; `form` names the one that failed ("company" or "user"),
    whose top-level error shows above it (their inputs' names never overlap)."""
    services = services_of(request)
    companies = await services.registry.list()
    rows = [{"company": c, "live": is_live(c)} for c in companies]
    errors = dict(errors or {})
    form_error = errors.pop("", None)
    return await render(
        request, "companies.html", user=user, status=status, rows=rows,
        people=await services.users.list(),
        company_names={c.id: c.companyName for c in companies},
        company_options=[("", "None")] + [(c.id, c.companyName) for c in companies],
        trades=[t.value for t in TradeCategory], roles=[r.value for r in Role],
        values={"timezone": "America/New_York", **(values or {})}, errors=errors,
        form_errors={form: form_error} if form_error else {})


@router.get("/companies")
async def companies(request: Request, user: PlatformAdmin) -> Response:
    return await _companies_page(request, user)


@router.get("/switch")
async def switch_company(user: PlatformAdmin, company: str = "") -> Response:
    """The header's company switcher (a plain GET form, so it works without script)."""
    if not is_object_id(company):
        return see_other("/console/companies")
    return see_other(f"/console/company/{company}/profile")


@router.post("/companies")
async def create_company(request: Request, user: PlatformAdmin) -> Response:
    form = await request.form()
    document = read_form(form, COMPANY_FIELDS)
    names = [f.name for f in COMPANY_FIELDS]
    try:
        parsed = CompanyDocument.model_validate(document)
        company = await services_of(request).registry.create(parsed.profile())
    except ValidationError as exc:
        return await _companies_page(request, user, 422, form="company",
                                     errors=model_errors(exc, names),
                                     values=flat_values(form, COMPANY_FIELDS))
    except Conflict as exc:
        return await _companies_page(request, user, 409, form="company",
                                     errors={"": str(exc)},
                                     values=flat_values(form, COMPANY_FIELDS))
    return see_other(f"/console/company/{company.id}/profile", "company-created")


@router.post("/users")
async def create_user(request: Request, user: PlatformAdmin) -> Response:
    form = await request.form()
    values = read_form(form, USER_FIELDS)
    names = [f.name for f in USER_FIELDS]
    shown = {**flat_values(form, USER_FIELDS), "password": ""}
    services = services_of(request)
    try:
        new_user = NewUser.model_validate(values)
        if new_user.companyId is not None:
            await services.registry.get(new_user.companyId)
        await services.users.create(new_user.email, new_user.password, new_user.role,
                                    new_user.companyId)
    except ValidationError as exc:
        return await _companies_page(request, user, 422, form="user",
                                     errors=model_errors(exc, names), values=shown)
    except NotFound:
        return await _companies_page(request, user, 422, form="user", values=shown,
                                     errors={"companyId": "no such company"})
    except (ValueError, Conflict) as exc:
        errors = field_errors([{"field": "", "message": str(exc).splitlines()[0]}], names)
        return await _companies_page(request, user, 422, form="user", errors=errors,
                                     values=shown)
    return see_other("/console/companies", "user-created")
