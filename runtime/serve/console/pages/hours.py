"""Operating hours with the timezone they are in, and the greetings either side of them.

The form always lists all seven days (a day missing from the stored list shows as
closed) and saves all seven, as `agentSetup.operatingHours` replaces the list.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from runtime.serve.console.access import CompanyPage
from runtime.serve.console.forms import Field
from runtime.serve.console.nav import register_page
from runtime.serve.console.pages.company_form import save, show
from tenancy.models.company import WEEKDAYS

router = APIRouter(prefix="/console/company/{company_id}", include_in_schema=False)
register_page("Hours", "hours", order=20)

HOURS = "agentSetup.operatingHours"
FIELDS = [Field("timezone"), Field("agentSetup.agentGreeting"),
          Field("agentSetup.afterHoursGreeting")] + [
    Field(f"{HOURS}.{index}.{part}", "bool" if part == "enabled" else "text")
    for index in range(len(WEEKDAYS)) for part in ("start", "end", "enabled", "day")]
DAYS = list(enumerate(WEEKDAYS))


def _every_day(view: dict[str, Any]) -> dict[str, Any]:
    stored = {entry["day"]: entry for entry in view["agentSetup"]["operatingHours"]}
    week = [stored.get(day, {"day": day, "enabled": False, "start": "09:00", "end": "17:00"})
            for day in WEEKDAYS]
    return {**view, "agentSetup": {**view["agentSetup"], "operatingHours": week}}


@router.get("/hours")
async def hours(request: Request, page: CompanyPage) -> Response:
    return await show(request, page, "hours.html", FIELDS, _every_day, days=DAYS)


@router.post("/hours")
async def save_hours(request: Request, page: CompanyPage) -> Response:
    return await save(request, page, "hours.html", FIELDS, days=DAYS)
