"""Messages the agent took (mark handled) and the notifications sent to staff about them."""

from __future__ import annotations

from typing import Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import Response

from runtime.serve.console.access import CompanyPage
from runtime.serve.console.data.inbox_page import (
    inbox_view,
    notifications_view,
    set_message_status,
)
from runtime.serve.console.nav import register_page
from runtime.serve.console.refusals import ConsoleRefusal, not_found
from runtime.serve.console.rendering import render, see_other
from runtime.serve.views import services_of
from tenancy.errors import NotFound
from tenancy.models import is_object_id

router = APIRouter(prefix="/console/company/{company_id}", include_in_schema=False)
register_page("Messages", "messages", order=60)
register_page("Notifications", "notifications", order=65)

Status = Literal["new", "handled"]


@router.get("/messages")
async def messages(request: Request, page: CompanyPage,
                   status: str | None = Query(default=None, max_length=16)) -> Response:
    view = await inbox_view(services_of(request), page.company_id, _status(status))
    return await render(request, "messages.html", page=page, inbox=view,
                        zone=ZoneInfo(page.company.timezone))


@router.post("/messages/{message_id}/status")
async def set_status(request: Request, page: CompanyPage,
                     status: str = Form(default="", max_length=16),
                     message_id: str = Path(max_length=64),
                     showing: str = Form(default="", max_length=16)) -> Response:
    new_status = _status(status)
    if new_status is None:
        raise ConsoleRefusal(400, "Not changed", "A message can be marked new or handled.")
    if not is_object_id(message_id):
        raise not_found()
    try:
        await set_message_status(services_of(request), page.company_id, message_id,
                                 new_status)
    except NotFound as exc:
        raise not_found() from exc
    back = f"/console/company/{page.company_id}/messages"
    if _status(showing):
        back += f"?status={showing}"
    return see_other(back, notice="handled" if new_status == "handled" else "reopened")


def _status(value: str | None) -> Status | None:
    statuses: tuple[Status, ...] = ("new", "handled")
    return next((status for status in statuses if status == value), None)


@router.get("/notifications")
async def notifications(request: Request, page: CompanyPage) -> Response:
    sent = await notifications_view(services_of(request), page.company_id)
    return await render(request, "notifications.html", page=page, notifications=sent,
                        zone=ZoneInfo(page.company.timezone))
