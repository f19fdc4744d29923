"""Test call: ring the company's agent with typed caller lines and watch the call land.

The call is placed by the Twilio simulator into this same app (console/data/
simulated_calls.py); its page polls the call's log until the transcript is there.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import Response

from runtime.serve.console.access import CompanyPage
from runtime.serve.console.data.analytics_page import TIER_LABELS
from runtime.serve.console.data.call_pages import call_detail
from runtime.serve.console.data.simulated_calls import (
    DEFAULT_CALLER,
    MAX_LINES,
    SimulatedCallDesk,
    SimulatedCallRefused,
    SimulatedCallRequest,
)
from runtime.serve.console.nav import register_page
from runtime.serve.console.refusals import not_found
from runtime.serve.console.rendering import render, see_other
from runtime.serve.errors import ApiError
from runtime.serve.views import services_of

router = APIRouter(prefix="/console/company/{company_id}", include_in_schema=False)
register_page("Test call", "test-call", order=50)

EXAMPLE_LINES = "Do you service heat pumps?\nHow much is a service call?\nThanks, goodbye"
SID = Path(max_length=64)
DAY = Query(default=None, alias="date", max_length=10)


def simulated_calls(request: Request) -> SimulatedCallDesk:
    """This replica's desk, made on first use with the app it calls into."""
    desk: SimulatedCallDesk | None = getattr(request.app.state, "simulated_calls", None)
    if desk is None:
        desk = SimulatedCallDesk(request.app, services_of(request).settings)
        request.app.state.simulated_calls = desk
    return desk


@router.get("/test-call")
async def test_call_form(request: Request, page: CompanyPage) -> Response:
    return await render(request, "test_call.html", page=page, max_lines=MAX_LINES,
                        values={"caller": DEFAULT_CALLER, "lines": EXAMPLE_LINES})


@router.post("/test-call")
async def place_test_call(request: Request, page: CompanyPage,
                          caller: str = Form(default="", max_length=32),
                          lines: str = Form(default="", max_length=4000)) -> Response:
    values = {"caller": caller, "lines": lines}
    try:
        call_sid = await simulated_calls(request).place(
            page.company, SimulatedCallRequest.from_form(caller, lines))
    except SimulatedCallRefused as refused:
        return await render(request, "test_call.html", page=page, max_lines=MAX_LINES,
                            values=values, errors={refused.field: str(refused)}, status=400)
    today = datetime.now(ZoneInfo(page.company.timezone)).date().isoformat()
    return see_other(f"/console/company/{page.company_id}/test-call/{call_sid}?date={today}")


@router.get("/test-call/{call_sid}")
async def test_call_result(request: Request, page: CompanyPage, call_sid: str = SID,
                           day: str | None = DAY) -> Response:
    return await _result(request, page, call_sid, day, "test_call_result.html")


@router.get("/test-call/{call_sid}/transcript")
async def test_call_transcript(request: Request, page: CompanyPage, call_sid: str = SID,
                               day: str | None = DAY) -> Response:
    """The result's live region alone, for the page's poll: pending until the log lands."""
    return await _result(request, page, call_sid, day, "_test_call_transcript.html")


async def _result(request: Request, page: CompanyPage, call_sid: str, day: str | None,
                  template: str) -> Response:
    """The call from its log once it is there; until then what the caller heard so far."""
    try:
        detail = await call_detail(services_of(request), page.company_id,
                                   ZoneInfo(page.company.timezone), call_sid, day)
    except ApiError as exc:
        raise not_found() from exc
    return await render(request, template, page=page, call_sid=call_sid, day=day or "",
                        detail=detail, tier_labels=TIER_LABELS,
                        zone=ZoneInfo(page.company.timezone),
                        heard=simulated_calls(request).heard(page.company_id, call_sid))
