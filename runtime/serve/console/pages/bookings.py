"""Bookings: a week calendar of the company's visits, with cancel (the API's desk)."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from runtime.serve.console.access import CompanyPage
from runtime.serve.console.data.bookings_page import bookings_week, cancel_booking
from runtime.serve.console.nav import register_page
from runtime.serve.console.refusals import not_found
from runtime.serve.console.rendering import render, see_other
from runtime.serve.views import services_of
from tenancy.errors import NotFound
from tenancy.models import is_object_id

router = APIRouter(prefix="/console/company/{company_id}", include_in_schema=False)
register_page("Bookings", "bookings", order=55)


@router.get("/bookings")
async def bookings(request: Request, page: CompanyPage,
                   week: str | None = Query(default=None, max_length=10)) -> Response:
    day, errors = None, {}
    if week:
        try:
            day = date.fromisoformat(week)
        except ValueError:
            errors = {"week": "Pick a real date (YYYY-MM-DD); showing this week instead."}
    view = await bookings_week(services_of(request), page.company_id, day)
    return await render(request, "bookings.html", page=page, week=view, errors=errors,
                        values={"week": view.monday.isoformat()},
                        status=400 if errors else 200)


@router.post("/bookings/{booking_id}/cancel")
async def cancel(request: Request, page: CompanyPage,
                 booking_id: str = Path(max_length=64)) -> Response:
    if not is_object_id(booking_id):
        raise not_found()
    try:
        cancelled = await cancel_booking(services_of(request), page.company_id, booking_id)
    except NotFound as exc:
        raise not_found() from exc
    day = cancelled.start.astimezone(ZoneInfo(page.company.timezone)).date()
    return see_other(f"/console/company/{page.company_id}/bookings?week={day.isoformat()}",
                     notice="cancelled")
