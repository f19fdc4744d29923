"""Call logs: a page of calls over a date range, and one call with its transcript."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from analytics.events import OUTCOMES
from runtime.serve.console.access import CompanyPage
from runtime.serve.console.data.analytics_page import TIER_LABELS
from runtime.serve.console.data.call_pages import OUTCOME_LABELS, call_detail, call_list
from runtime.serve.console.nav import register_page
from runtime.serve.console.pages.data_filters import DateQuery, field_errors
from runtime.serve.console.refusals import not_found
from runtime.serve.console.rendering import render
from runtime.serve.errors import ApiError
from runtime.serve.views import services_of

router = APIRouter(prefix="/console/company/{company_id}", include_in_schema=False)
register_page("Calls", "calls", order=40)

OUTCOME_CHOICES = [("", "Any outcome"), *((o, OUTCOME_LABELS[o]) for o in OUTCOMES)]
SID = Path(max_length=64)


@router.get("/calls")
async def calls(request: Request, page: CompanyPage, date_from: str | None = DateQuery.FROM,
                date_to: str | None = DateQuery.TO,
                outcome: str | None = Query(default=None, max_length=32),
                page_number: str | None = Query(default=None, alias="page", max_length=8),
                ) -> Response:
    values = {"from": date_from or "", "to": date_to or "", "outcome": outcome or ""}
    filters = {"dateFrom": date_from, "dateTo": date_to, "outcome": outcome,
               "page": page_number}
    try:
        rows, pager = await call_list(services_of(request), page.company_id,
                                      ZoneInfo(page.company.timezone), filters)
    except ApiError as exc:
        return await render(request, "calls.html", page=page, rows=[], pager=None,
                            values=values, errors=field_errors(exc), outcomes=OUTCOME_CHOICES,
                            status=400)
    return await render(request, "calls.html", page=page, rows=rows, pager=pager,
                        values=values, outcomes=OUTCOME_CHOICES,
                        query={k: v for k, v in values.items() if v})


@router.get("/calls/{call_sid}")
async def call(request: Request, page: CompanyPage, call_sid: str = SID,
               day: str | None = Query(default=None, alias="date", max_length=10)) -> Response:
    try:
        detail = await call_detail(services_of(request), page.company_id,
                                   ZoneInfo(page.company.timezone), call_sid, day)
    except ApiError as exc:  # a malformed sid or date: nothing to show under that URL
        raise not_found() from exc
    if detail is None:
        raise not_found()
    return await render(request, "call.html", page=page, detail=detail, tier_labels=TIER_LABELS,
                        zone=ZoneInfo(page.company.timezone))
