"""Twilio voice webhooks: incoming call, turn, continue, dial result, status, audio.

Every POST is verified (`X-Twilio-Signature`) before anything else happens. The
router only translates: Twilio's form in, the call gateway's reply out as TwiML.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Awaitable
from dataclasses import dataclass

import structlog
from fastapi import APIRouter, Path, Request, Response

from runtime.actors.call_session import CompanyUnavailable
from runtime.actors.gateway import CallLost, UnknownCall
from runtime.actors.messages import AgentReply, CallRefused, CallSetup
from runtime.actors.pool import BUSY_MESSAGE, FORWARD_MESSAGE
from runtime.audio_http import CLIENT_CACHE_CONTROL, LIFETIME_HEADER
from runtime.serve.errors import ApiError
from runtime.serve.twilio_account import verify_account
from runtime.serve.twilio_auth import signing_token, twilio_form, verify_signature
from runtime.serve.twiml import CallUrls, empty_twiml, message_twiml, refused_twiml, reply_twiml
from runtime.serve.views import services_of
from tenancy.models import Company
from tenancy.models.common import normalize_e164

router = APIRouter(prefix="/api/twilio", tags=["twilio"])
log = structlog.get_logger(__name__)

UNKNOWN_NUMBER = "Sorry, this number is not in service. Please check the number and call again."
INACTIVE = "Sorry, this company is not taking calls through this line right now. Goodbye."
LOST_CALL = "Sorry, we lost track of this call. Please call us back. Goodbye."
CANNOT_CONNECT = "Sorry, we cannot take your call right now. Please call back shortly. Goodbye."
TERMINAL_STATUSES = {"completed", "busy", "failed", "no-answer", "canceled"}
_CALL_SID = re.compile(r"^CA[0-9a-fA-F]{32}$")
_AUDIO_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
CompanyId = Path(max_length=64)
IDEMPOTENCY_HEADER = "I-Twilio-Idempotency-Token"


@dataclass(frozen=True)
class Webhook:
    company: Company | None
    params: dict[str, str]
    idempotency_token: str | None = None  # the same on Twilio's retries of one request

    @property
    def call_sid(self) -> str:
        sid = self.params.get("CallSid", "")
        if not _CALL_SID.match(sid):
            raise ApiError(400, "INVALID_CALL_SID", "CallSid must be CA followed by 32 hex digits")
        return sid


def xml(document: str) -> Response:
    return Response(content=document, media_type="application/xml")


async def _load(request: Request, company_id: str) -> Company | None:
    return await services_of(request).companies.get(company_id)


async def _verified(request: Request, company: Company | None) -> Webhook:
    settings = services_of(request).settings
    params = await twilio_form(request)
    platform = settings.twilio_auth_token.get_secret_value() if settings.twilio_auth_token else None
    verify_signature(request, params, signing_token(company, platform), settings.public_base_url)
    verify_account(params, company, settings.twilio_account_sid)
    return Webhook(company, params, request.headers.get(IDEMPOTENCY_HEADER))


def call_urls(request: Request, company_id: str) -> CallUrls:
    base = services_of(request).settings.public_base_url.rstrip("/") + router.prefix
    calls = f"{base}/calls/{company_id}"
    return CallUrls(turn=f"{calls}/turn", resume=f"{calls}/continue", dial=f"{calls}/dial",
                    audio_base=f"{base}/audio")


async def _answer(request: Request, hook: Webhook) -> Response:
    company = hook.company
    if company is None:
        return xml(message_twiml(UNKNOWN_NUMBER))
    if not company.isActive:
        return xml(message_twiml(INACTIVE, company.aiSettings.language))
    setup = CallSetup(
        company_id=company.id,
        call_sid=hook.call_sid,
        caller_number=normalize_e164(hook.params.get("From", "")) or "",  # type: ignore[arg-type]
        called_number=normalize_e164(hook.params.get("To", "")) or "",  # type: ignore[arg-type]
        account_sid=hook.params.get("AccountSid", ""),
        company_call_limit=company.twilioConfig.maxConcurrentCalls,
    )
    not_taken = services_of(request).not_taken
    if not await services_of(request).rate_limiter.allowed("new_call", company.id):
        # A caller hears why, or reaches the office, instead of Twilio's error message.
        forward = company.companyPhone
        refusal = CallRefused(reason="rate_limited",
                              message=FORWARD_MESSAGE if forward else BUSY_MESSAGE,
                              forward_to=forward)
        await not_taken.report(company, setup, refusal)
        return xml(refused_twiml(refusal))
    try:
        result = await services_of(request).calls.start_call(
            setup, forward_to=company.companyPhone)
    except CompanyUnavailable:
        return xml(message_twiml(INACTIVE, company.aiSettings.language))
    except Exception:  # Twilio would play its error message: apologise instead
        log.exception("incoming_call_failed", company_id=company.id)
        await not_taken.report(company, setup, CallRefused(reason="cannot_connect",
                                                           message=CANNOT_CONNECT))
        return xml(message_twiml(CANNOT_CONNECT, company.aiSettings.language))
    if isinstance(result, CallRefused):
        await not_taken.report(company, setup, result)
        return xml(refused_twiml(result))
    return xml(reply_twiml(result, call_urls(request, company.id)))


@router.post("/voice", summary="Incoming call; the company is found from `To`")
async def incoming_by_number(request: Request) -> Response:
    params = await twilio_form(request)
    number = str(normalize_e164(params.get("To", "")))
    company = await services_of(request).registry.company_for_number(number)
    return await _answer(request, await _verified(request, company))


@router.post("/webhook/{company_id}", summary="Incoming call for a company")
@router.post("/{company_id}/webhook", summary="Incoming call for a company (alias)")
async def incoming_by_company(request: Request, company_id: str = CompanyId) -> Response:
    company = await _load(request, company_id)
    return await _answer(request, await _verified(request, company))


async def _live_call(request: Request, company_id: str) -> Webhook:
    hook = await _verified(request, await _load(request, company_id))
    if hook.company is None:
        raise ApiError(404, "NOT_FOUND", "no such company")
    return hook


async def _relay(request: Request, company_id: str, pending: Awaitable[AgentReply]) -> Response:
    """The actor's reply as TwiML; a call we cannot continue gets an apology, not an error."""
    try:
        reply = await pending
    except (UnknownCall, CallLost, CompanyUnavailable):
        return xml(message_twiml(LOST_CALL))
    except Exception:  # never Twilio's error message mid-call
        log.exception("call_webhook_failed", company_id=company_id)
        return xml(message_twiml(LOST_CALL))
    return xml(reply_twiml(reply, call_urls(request, company_id)))


@router.post("/calls/{company_id}/turn", summary="Gather action: the caller spoke (or not)")
async def call_turn(request: Request, company_id: str = CompanyId) -> Response:
    hook = await _live_call(request, company_id)
    speech = hook.params.get("SpeechResult") or None
    try:
        confidence = float(hook.params["Confidence"]) if "Confidence" in hook.params else None
    except ValueError:
        confidence = None
    calls = services_of(request).calls
    return await _relay(request, company_id, calls.turn(
        company_id, hook.call_sid, speech, confidence, hook.idempotency_token))


@router.post("/calls/{company_id}/continue", summary="Redirect: the next sentences of an answer")
async def call_continue(request: Request, company_id: str = CompanyId) -> Response:
    hook = await _live_call(request, company_id)
    calls = services_of(request).calls
    return await _relay(request, company_id, calls.resume(company_id, hook.call_sid))


@router.post("/calls/{company_id}/dial", summary="Dial action: how the transfer went")
async def call_dial_result(request: Request, company_id: str = CompanyId) -> Response:
    hook = await _live_call(request, company_id)
    status = hook.params.get("DialCallStatus", "failed")
    calls = services_of(request).calls
    return await _relay(request, company_id, calls.dial_finished(
        company_id, hook.call_sid, status, hook.idempotency_token))


@router.post("/status/{company_id}", summary="Call status callback", status_code=200)
async def call_status(request: Request, company_id: str = CompanyId) -> Response:
    hook = await _live_call(request, company_id)
    status = hook.params.get("CallStatus", "")
    if status in TERMINAL_STATUSES:
        try:
            duration = float(hook.params.get("CallDuration") or 0)
        except ValueError:
            duration = 0.0
        # A call we never answered (or already ended) has nothing to clean up.
        with contextlib.suppress(UnknownCall, CallLost):
            await services_of(request).calls.end_call(company_id, hook.call_sid, status, duration)
    return xml(empty_twiml())


@router.get("/audio/{token}.wav", summary="Synthesized speech behind a short-lived token")
async def call_audio(request: Request, token: str = Path(max_length=64)) -> Response:
    """A token's bytes never change (see `AudioStore`): the token is the ETag, and Twilio,
    which caches `<Play>` files, may keep them; asking again for what it holds: 304. The
    lifetime header tells the node's own audio cache (`runtime.haproxy_edge`) how long the
    file has left, which it keeps to itself."""
    if not _AUDIO_TOKEN.match(token):
        raise ApiError(404, "NOT_FOUND", "no such audio")
    headers = {"Cache-Control": CLIENT_CACHE_CONTROL, "ETag": f'"{token}"'}
    if request.headers.get("if-none-match") in (headers["ETag"], f"W/{headers['ETag']}"):
        return Response(status_code=304, headers=headers)  # the holder has these very bytes
    found = await services_of(request).audio.get_with_lifetime(token)
    if found is None:
        raise ApiError(404, "NOT_FOUND", "no such audio (it may have expired)")
    audio, lifetime_s = found
    if int(lifetime_s) > 0:
        headers[LIFETIME_HEADER] = str(int(lifetime_s))  # whole seconds, rounded down
    return Response(content=audio, media_type="audio/wav", headers=headers)
