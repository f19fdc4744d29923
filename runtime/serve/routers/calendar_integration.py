"""Connecting a company's Google Calendar: consent URL, OAuth callback, status, disconnect.

The consent URL carries a one-time `state` bound to the company that asked for it; the
callback (public: Google sends the admin's browser there) accepts only such a state, so a
calendar can never be attached to another tenant. The refresh token is stored encrypted
and never returned.
"""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, Query, Request

from runtime.providers.calendar_factory import CALLBACK_PATH, build_oauth
from runtime.providers.google_oauth import CalendarOAuth, OAuthFailed
from runtime.serve.auth import CompanyGuard
from runtime.serve.errors import ApiError
from runtime.serve.views import services_of
from tenancy.calendar_link import CalendarLink, OAuthStates

company_router = APIRouter(prefix="/api/company/{company_id}/integrations/google-calendar",
                           tags=["calendar"])
callback_router = APIRouter(tags=["calendar"])

JsonObject = dict[str, Any]


def _oauth(request: Request) -> CalendarOAuth:
    oauth = build_oauth(services_of(request).settings.calendar_config())
    if oauth is None:
        raise ApiError(409, "CALENDAR_NOT_CONFIGURED", "Google Calendar is not configured on "
                       "this platform: set GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET")
    return oauth


@company_router.get("", summary="Is a Google Calendar connected (never shows the token)")
async def calendar_status(request: Request, access: CompanyGuard) -> JsonObject:
    services = services_of(request)
    await services.registry.get(access.company_id)
    link = await services.registry.tenant(access.company_id).calendar_link.get()
    return link.public() if link else {"connected": False}


@company_router.get("/connect", summary="The Google consent URL to connect the calendar")
async def connect_calendar(request: Request, access: CompanyGuard) -> JsonObject:
    if not access.principal.can_write(access.company_id):
        raise ApiError(403, "FORBIDDEN", "viewers cannot connect a calendar")
    services = services_of(request)
    await services.registry.get(access.company_id)
    state = secrets.token_urlsafe(32)
    url, verifier = _oauth(request).consent_url(state)
    await OAuthStates(services.redis).remember(state, access.company_id, verifier)
    return {"authorizationUrl": url}


@company_router.delete("", summary="Disconnect the calendar (bookings stay)")
async def disconnect_calendar(request: Request, access: CompanyGuard) -> JsonObject:
    services = services_of(request)
    await services.registry.get(access.company_id)
    await services.registry.tenant(access.company_id).calendar_link.delete()
    return {"connected": False}


@callback_router.get(CALLBACK_PATH, summary="Google's OAuth redirect (state-checked)")
async def calendar_callback(
    request: Request,
    state: str = Query("", max_length=200),
    code: str = Query("", max_length=2000),
    error: str | None = Query(None, max_length=200),
) -> JsonObject:
    services = services_of(request)
    taken = await OAuthStates(services.redis).take(state)
    if taken is None:
        raise ApiError(400, "INVALID_STATE", "unknown or expired state: start again from "
                       "the connect link")
    company_id, verifier = taken
    if error or not code:
        raise ApiError(400, "CONSENT_DENIED", f"Google did not grant access ({error or 'no code'})")
    try:
        token = await _oauth(request).exchange(code, state, verifier)
    except OAuthFailed as exc:
        raise ApiError(400, "OAUTH_FAILED", str(exc)) from exc
    await services.registry.get(company_id)
    await services.registry.tenant(company_id).calendar_link.save(CalendarLink(refreshToken=token))
    return {"connected": True, "companyId": company_id}
