"""Profile and address: who the company is and where (`PATCH /api/company/{id}` fields)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from runtime.serve.console.access import CompanyPage
from runtime.serve.console.forms import Field
from runtime.serve.console.nav import register_page
from runtime.serve.console.pages.company_form import save, show
from tenancy.models.company import TradeCategory

router = APIRouter(prefix="/console/company/{company_id}", include_in_schema=False)
register_page("Profile", "profile", order=10)

FIELDS = [
    Field("companyName"), Field("companyPhone", "optional"), Field("companyEmail", "optional"),
    Field("website", "optional"), Field("ownerName"), Field("ownerEmail", "optional"),
    Field("description"), Field("serviceArea", "lines"), Field("businessHours"),
    Field("address.street"), Field("address.city"), Field("address.state"),
    Field("address.postalCode"), Field("address.country"), Field("tradeCategories", "lines"),
]
TRADES = [trade.value for trade in TradeCategory]


@router.get("/profile")
async def profile(request: Request, page: CompanyPage) -> Response:
    return await show(request, page, "profile.html", FIELDS, trades=TRADES)


@router.post("/profile")
async def save_profile(request: Request, page: CompanyPage) -> Response:
    return await save(request, page, "profile.html", FIELDS, trades=TRADES)
