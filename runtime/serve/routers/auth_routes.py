"""`POST /api/auth/login`: email and password in, a bearer token out.

Guessing is throttled per account and per client address (counted in Redis, so across
replicas): a locked login answers 429 with `Retry-After` before any password work.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from runtime.serve.errors import ApiError
from runtime.serve.views import services_of
from tenancy.models.common import ApiModel, Email
from tenancy.passwords import HasherBusy, PasswordInput
from tenancy.users import User

router = APIRouter(prefix="/api/auth", tags=["auth"])


class LoginRequest(ApiModel):
    email: Email
    password: PasswordInput


def client_address(request: Request, trusted_header: str | None) -> str:
    """The caller's address: the last hop of `trusted_header` (set by our own load
    balancer, which appends the peer it saw), else the TCP peer."""
    if trusted_header:
        hops = [hop.strip() for hop in request.headers.get(trusted_header, "").split(",")]
        if hops[-1]:
            return hops[-1][:64]
    return request.client.host if request.client else "unknown"


def _throttled(seconds: int, message: str) -> ApiError:
    return ApiError(429, "TOO_MANY_ATTEMPTS", message, headers={"Retry-After": str(seconds)})


async def sign_in(request: Request, email: str, password: str) -> User:
    """The user these credentials open, throttled as the module says (the console's
    sign-in uses it too); raises the 429 or 401 `ApiError` otherwise."""
    services = services_of(request)
    address = client_address(request, services.settings.client_ip_header)
    wait = await services.login_attempts.retry_after(email, address)
    if wait:
        raise _throttled(wait, f"too many failed sign-ins, try again in {wait} s")
    try:
        user = await services.users.authenticate(email, password)
    except HasherBusy as exc:
        raise _throttled(1, "too many sign-ins in progress, try again shortly") from exc
    if user is None:
        await services.login_attempts.record_failure(email, address)
        raise ApiError(401, "INVALID_CREDENTIALS", "email or password is wrong")
    await services.login_attempts.record_success(email)
    return user


@router.post("/login", summary="Exchange email and password for a JWT",
             responses={429: {"description": "Too many failed attempts; see Retry-After"}})
async def login(request: Request, credentials: LoginRequest) -> dict[str, Any]:
    services = services_of(request)
    user = await sign_in(request, credentials.email, credentials.password)
    token = services.tokens.mint(user.email, user.role, user.companyId, user.sessionStamp)
    return {
        "token": token,
        "tokenType": "Bearer",
        "expiresIn": services.tokens.ttl_s,
        "role": user.role.value,
        "companyId": user.companyId,
    }
