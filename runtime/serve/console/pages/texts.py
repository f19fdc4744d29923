"""Text threads: the company's conversations by text, and one customer's texts, read as
`GET /api/company/{id}/sms-conversations[/{number}]` reads them (with opt-out state)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from runtime.serve.console.access import CompanyPage
from runtime.serve.console.nav import register_page
from runtime.serve.console.refusals import not_found
from runtime.serve.console.rendering import render
from runtime.serve.errors import ApiError
from runtime.serve.routers.sms import thread_of, threads_of
from runtime.serve.views import services_of
from tenancy.models.sms import SMS_THREAD_TTL_S

router = APIRouter(prefix="/console/company/{company_id}", include_in_schema=False)
register_page("Texts", "texts", order=70)

LIST_LIMIT = 200


@router.get("/texts")
async def texts(request: Request, page: CompanyPage) -> Response:
    threads = await threads_of(services_of(request), page.company_id, LIST_LIMIT)
    return await render(request, "texts.html", page=page, threads=threads,
                        retention_days=SMS_THREAD_TTL_S // 86400,
                        zone=ZoneInfo(page.company.timezone))


@router.get("/texts/{number}")
async def thread(request: Request, page: CompanyPage,
                 number: str = Path(max_length=32)) -> Response:
    try:
        found, opted_out = await thread_of(services_of(request), page.company_id, number)
    except ApiError as exc:  # a malformed number or no thread: nothing under that URL
        raise not_found() from exc
    return await render(request, "text_thread.html", page=page, thread=found,
                        opted_out=opted_out, zone=ZoneInfo(page.company.timezone))
