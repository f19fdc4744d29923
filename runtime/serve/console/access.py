"""Who is signed in to the console, and the guards every console route declares.

`signed_in` resumes the session from its cookie and, on any state-changing request,
checks the CSRF token (hidden form field `csrf_token` or header `X-CSRF-Token`).
`company_console` adds the API's company rules (runtime/serve/auth.py `Principal`):
a company user only reaches their own company, a viewer never changes anything.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Path, Request

from runtime.serve.auth import Principal
from runtime.serve.console.refusals import ConsoleRefusal, SignInRequired, forbidden, not_found
from runtime.serve.errors import ApiError
from runtime.serve.views import services_of
from tenancy.console_sessions import ConsoleSession
from tenancy.errors import NotFound
from tenancy.models import Company, is_object_id

SESSION_COOKIE = "cv_console"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = ("GET", "HEAD")


@dataclass(frozen=True)
class ConsoleUser:
    token: str  # the cookie value, to end the session at logout
    session: ConsoleSession

    @property
    def principal(self) -> Principal:
        return Principal(sub=self.session.email, role=self.session.role,
                         companyId=self.session.companyId)

    @property
    def csrf_token(self) -> str:
        return self.session.csrfToken


def request_path(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


async def submitted_csrf(request: Request) -> str:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        value = (await request.form()).get(CSRF_FIELD)
        return value if isinstance(value, str) else ""
    return ""


def require_csrf(submitted: str, expected: str) -> None:
    if not expected or not hmac.compare_digest(submitted.encode(), expected.encode()):
        raise ConsoleRefusal(403, "Form expired",
                             "This form's security token is missing or out of date, so "
                             "nothing was changed. Reload the page and try again.")


async def signed_in(request: Request) -> ConsoleUser:
    token = request.cookies.get(SESSION_COOKIE, "")
    session = await services_of(request).console_sessions.resume(token)
    if session is None:
        raise SignInRequired(request_path(request) if request.method in SAFE_METHODS
                             else "/console")
    user = ConsoleUser(token, session)
    if request.method not in SAFE_METHODS:
        require_csrf(await submitted_csrf(request), user.csrf_token)
    return user


SignedIn = Annotated[ConsoleUser, Depends(signed_in)]


async def platform_admin(user: SignedIn) -> ConsoleUser:
    if not user.principal.is_platform_admin:
        raise forbidden("Only platform administrators can open this page.")
    return user


PlatformAdmin = Annotated[ConsoleUser, Depends(platform_admin)]


@dataclass(frozen=True)
class CompanyConsole:
    """A signed-in user on a company they may see; `can_write` is false for viewers."""

    user: ConsoleUser
    company: Company

    @property
    def company_id(self) -> str:
        return self.company.id

    @property
    def can_write(self) -> bool:
        return self.user.principal.can_write(self.company.id)


async def company_console(
    request: Request, user: SignedIn, company_id: Annotated[str, Path(max_length=64)]
) -> CompanyConsole:
    principal = user.principal
    if not is_object_id(company_id) or not principal.can_read(company_id):
        raise not_found()
    if request.method not in SAFE_METHODS and not principal.can_write(company_id):
        raise forbidden("Your account can view this company but not change it.")
    try:
        await services_of(request).rate_limiter.check("api", company_id)
    except ApiError as exc:  # the API's per-company request budget, as a page
        raise ConsoleRefusal(exc.status, "Too many requests", exc.message) from exc
    try:
        company = await services_of(request).registry.get(company_id)
    except NotFound as exc:
        raise not_found() from exc
    return CompanyConsole(user, company)


# Declared on every company page's router (pages/__init__.py): the route table test
# (tests/console/test_console_cross_tenant.py) fails for a company route without it.
CompanyPage = Annotated[CompanyConsole, Depends(company_console)]
