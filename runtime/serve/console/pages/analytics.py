"""Analytics: calls per day, outcomes, containment, answer tiers and latency, as SVG."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from runtime.serve.console.access import CompanyPage
from runtime.serve.console.data.analytics_page import analytics_view
from runtime.serve.console.nav import register_page
from runtime.serve.console.pages.data_filters import DateQuery, field_errors
from runtime.serve.console.rendering import render
from runtime.serve.errors import ApiError
from runtime.serve.views import services_of

router = APIRouter(prefix="/console/company/{company_id}", include_in_schema=False)
register_page("Analytics", "analytics", order=45)


@router.get("/analytics")
async def analytics(request: Request, page: CompanyPage, date_from: str | None = DateQuery.FROM,
                    date_to: str | None = DateQuery.TO) -> Response:
    values = {"from": date_from or "", "to": date_to or ""}
    try:
        view = await analytics_view(services_of(request), page.company_id, date_from, date_to)
    except ApiError as exc:
        return await render(request, "analytics.html", page=page, view=None, values=values,
                            errors=field_errors(exc), status=400)
    return await render(request, "analytics.html", page=page, view=view,
                        values={"from": view.date_from, "to": view.date_to})
