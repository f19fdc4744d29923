"""Admin API authentication: JWT bearer tokens and the guards every router declares.

Each audience has its own guard, declared on its router, so a route cannot be
added without one: `require_platform_admin` for platform routes, and
`CompanyAccess` for every `/api/company/{company_id}/...` route.

A token minted at login carries its user's `sessionStamp` (claim `stp`), and
`current_principal` refuses it once the user is changed or removed (tenancy/users.py),
as console sessions end: one read of the user per admin API request, none on calls.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

import jwt
from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ValidationError

from runtime.serve.errors import ApiError
from tenancy.models import is_object_id
from tenancy.users import Role

if TYPE_CHECKING:  # services.py imports this module
    from runtime.serve.services import Services

_ALGORITHM = "HS256"


class Principal(BaseModel):
    sub: str
    role: Role
    companyId: str | None = None
    stamp: str | None = None  # the user's `sessionStamp` at login; None: not a user's token

    @property
    def is_platform_admin(self) -> bool:
        return self.role is Role.PLATFORM_ADMIN

    def can_read(self, company_id: str) -> bool:
        return self.is_platform_admin or self.companyId == company_id

    def can_write(self, company_id: str) -> bool:
        return self.can_read(company_id) and self.role is not Role.COMPANY_VIEWER


def _invalid_token() -> ApiError:
    return ApiError(401, "UNAUTHORIZED", "invalid or expired token")


class TokenService:
    """Signs and checks bearer tokens. A `stamp` ties a token to its stored user (login
    passes one); a token without one (the operator's `clientsvia mint-token`, for
    subjects that are not stored users) stays valid until it expires: only whoever
    holds the JWT secret can make one."""

    def __init__(self, secret: str, ttl_s: int) -> None:
        self._secret = secret
        self._ttl_s = ttl_s

    def mint(self, sub: str, role: Role, company_id: str | None = None,
             stamp: str | None = None) -> str:
        now = int(time.time())
        claims: dict[str, str | int] = {
            "sub": sub, "role": role.value, "iat": now, "exp": now + self._ttl_s}
        if company_id is not None:
            claims["companyId"] = company_id
        if stamp is not None:
            claims["stp"] = stamp
        return jwt.encode(claims, self._secret, algorithm=_ALGORITHM)

    def verify(self, token: str) -> Principal:
        try:
            claims = jwt.decode(
                token, self._secret, algorithms=[_ALGORITHM], options={"require": ["sub", "exp"]}
            )
            return Principal.model_validate(
                {"sub": claims.get("sub"), "role": claims.get("role"),
                 "companyId": claims.get("companyId"), "stamp": claims.get("stp")}
            )
        except (jwt.PyJWTError, ValidationError) as exc:
            raise _invalid_token() from exc

    @property
    def ttl_s(self) -> int:
        return self._ttl_s


_bearer = HTTPBearer(auto_error=False)


async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise ApiError(401, "UNAUTHORIZED", "send Authorization: Bearer <token>")
    services: Services = request.app.state.services
    principal = services.tokens.verify(credentials.credentials)
    if principal.stamp is not None:  # a user's token: refused once the user changed
        user = await services.users.get(principal.sub)
        if user is None or user.sessionStamp != principal.stamp:
            raise _invalid_token()
    return principal


async def require_platform_admin(
    principal: Annotated[Principal, Depends(current_principal)],
) -> Principal:
    if not principal.is_platform_admin:
        raise ApiError(403, "FORBIDDEN", "platform admin role required")
    return principal


@dataclass(frozen=True)
class CompanyAccess:
    """Who is acting on which company; only built once the token matches the company."""

    principal: Principal
    company_id: str


def _company_access(write: bool):  # noqa: ANN202 - FastAPI dependency factory
    async def guard(
        request: Request,
        principal: Annotated[Principal, Depends(current_principal)],
        company_id: Annotated[str, Path(max_length=64)],
    ) -> CompanyAccess:
        if not is_object_id(company_id):
            raise ApiError(400, "INVALID_ID", "company id must be 24 hexadecimal characters")
        if not principal.can_read(company_id):
            raise ApiError(403, "FORBIDDEN", "this token is not for that company")
        if write and request.method not in ("GET", "HEAD") and not principal.can_write(company_id):
            raise ApiError(403, "FORBIDDEN", "viewers cannot change company data")
        await request.app.state.services.rate_limiter.check("api", company_id)
        return CompanyAccess(principal=principal, company_id=company_id)

    return guard


# Declared on every company router: reads need the company's token, writes an admin's.
company_access = _company_access(write=True)
CompanyGuard = Annotated[CompanyAccess, Depends(company_access)]
