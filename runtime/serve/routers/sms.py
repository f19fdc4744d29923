"""Two-way texting over HTTP: Twilio's signed inbound-text webhook, and a company's threads.

`POST /api/twilio/sms` finds the company from `To`, verifies the signature and answers
with TwiML `<Message>`s (none: `<Response/>`). The company routes list the threads kept
per customer number (texts only; the policy's state stays internal).
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Path, Query, Request, Response
from twilio.twiml.messaging_response import MessagingResponse

from runtime.serve.auth import CompanyGuard
from runtime.serve.errors import ApiError
from runtime.serve.routers.twilio_voice import _verified, xml
from runtime.serve.services import Services
from runtime.serve.twilio_auth import twilio_form
from runtime.serve.views import services_of
from runtime.sms.desk import InboundText
from tenancy.models.common import is_e164, normalize_e164
from tenancy.models.sms import SMS_THREAD_TTL_S, SmsThread

twilio_router = APIRouter(prefix="/api/twilio", tags=["twilio"])
company_router = APIRouter(prefix="/api/company/{company_id}", tags=["sms"])

_MESSAGE_SID = re.compile(r"^(SM|MM)[0-9a-fA-F]{32}$")
LIST_LIMIT = 500


def e164(value: str, field: str) -> str:
    number = str(normalize_e164(value))
    if not is_e164(number):
        raise ApiError(400, "INVALID_NUMBER", f"{field} must be an E.164 phone number "
                       "such as +12395550100")
    return number


@twilio_router.post("/sms", summary="Incoming text: answered by the company that owns `To`")
async def incoming_sms(request: Request) -> Response:
    services = services_of(request)
    params = await twilio_form(request)
    number = str(normalize_e164(params.get("To", "")))
    hook = await _verified(request, await services.registry.company_for_number(number))
    company, form = hook.company, hook.params
    response = MessagingResponse()
    if company is None:
        return xml(str(response))  # a number no active company answers: no reply
    sid = form.get("MessageSid", "")
    if not _MESSAGE_SID.match(sid):
        raise ApiError(400, "INVALID_MESSAGE_SID", "MessageSid must be SM or MM followed by "
                       "32 hex digits")
    text = InboundText(message_sid=sid, from_=e164(form.get("From", ""), "From"),
                       to=e164(form.get("To", ""), "To"), body=form.get("Body", ""),
                       opt_out_type=form.get("OptOutType", ""))
    for reply in await services.sms.answer(company, text):
        response.message(reply)
    return xml(str(response))


def thread_view(thread: SmsThread, *, opted_out: bool, texts: bool) -> dict[str, Any]:
    view = thread.model_dump(mode="json", exclude={"policyState"})
    view["optedOut"] = opted_out
    if not texts:
        last = view.pop("texts")
        view["textCount"] = len(last)
        view["lastText"] = last[-1] if last else None
    return view


async def threads_of(services: Services, company_id: str, limit: int
                     ) -> list[tuple[SmsThread, bool]]:
    """The company's threads, most recently active first, each with its opt-out state
    (404 for a company that does not exist). The API and the console read through this."""
    await services.registry.get(company_id)
    book = services.registry.tenant(company_id).sms
    return [(t, await book.opted_out(t.number)) for t in await book.threads(limit)]


async def thread_of(services: Services, company_id: str, number: str
                    ) -> tuple[SmsThread, bool]:
    """One customer's thread and whether they opted out (ApiError 400/404 otherwise)."""
    customer = e164(number, "number")
    await services.registry.get(company_id)
    book = services.registry.tenant(company_id).sms
    thread = await book.thread(customer)
    if thread is None:
        days = SMS_THREAD_TTL_S // 86400
        raise ApiError(404, "NOT_FOUND", "no text thread with this number (threads expire "
                       f"after {days} days without a text)")
    return thread, await book.opted_out(customer)


@company_router.get("/sms-conversations", summary="Text threads, most recently active first")
async def list_threads(request: Request, access: CompanyGuard,
                       limit: int = Query(default=100, ge=1, le=LIST_LIMIT)
                       ) -> list[dict[str, Any]]:
    threads = await threads_of(services_of(request), access.company_id, limit)
    return [thread_view(t, opted_out=opted_out, texts=False) for t, opted_out in threads]


@company_router.get("/sms-conversations/{number}", summary="One customer's text thread")
async def get_thread(request: Request, access: CompanyGuard,
                     number: str = Path(max_length=32)) -> dict[str, Any]:
    thread, opted_out = await thread_of(services_of(request), access.company_id, number)
    return thread_view(thread, opted_out=opted_out, texts=True)
