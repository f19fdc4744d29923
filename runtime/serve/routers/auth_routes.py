"""`POST /api/auth/login`: email and password in, a bearer token out."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from pydantic import Field

from runtime.serve.errors import ApiError
from runtime.serve.views import services_of
from tenancy.models.common import ApiModel, Email

router = APIRouter(prefix="/api/auth", tags=["auth"])


class LoginRequest(ApiModel):
    email: Email
    password: Annotated[str, Field(min_length=1, max_length=200)]


@router.post("/login", summary="Exchange email and password for a JWT")
async def login(request: Request, credentials: LoginRequest) -> dict[str, Any]:
    services = services_of(request)
    user = await services.users.authenticate(credentials.email, credentials.password)
    if user is None:
        raise ApiError(401, "INVALID_CREDENTIALS", "email or password is wrong")
    token = services.tokens.mint(user.email, user.role, user.companyId)
    return {
        "token": token,
        "tokenType": "Bearer",
        "expiresIn": services.tokens.ttl_s,
        "role": user.role.value,
        "companyId": user.companyId,
    }
