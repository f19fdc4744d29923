"""Sign in, sign out, and `/console` itself (which sends each user to their start page).

Sign-in checks the password exactly as `POST /api/auth/login` does (same throttling).
Before there is a session the sign-in form is protected by a double-submit token (a
cookie and a hidden field that must match), so another site cannot sign a browser in to
an account of its choosing. The session cookie is HttpOnly, SameSite=Strict, scoped to
/console, and Secure when the request came over HTTPS (directly or, per
X-Forwarded-Proto, through our proxy).
"""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from runtime.serve.console.access import CSRF_FIELD, SESSION_COOKIE, SignedIn, require_csrf
from runtime.serve.console.forms import model_errors
from runtime.serve.console.rendering import render, see_other
from runtime.serve.errors import ApiError
from runtime.serve.routers.auth_routes import LoginRequest, sign_in
from runtime.serve.views import services_of
from tenancy.users import Role

router = APIRouter(prefix="/console", include_in_schema=False)
LOGIN_COOKIE = "cv_console_login"


def start_page(role: Role, company_id: str | None) -> str:
    if role is Role.PLATFORM_ADMIN or company_id is None:
        return "/console/companies"
    return f"/console/company/{company_id}/profile"


def _safe_next(value: str | None) -> str | None:
    """Only a path inside the console: never another site (`//evil`, `/\\evil`)."""
    if value and value.startswith("/console") and not value.startswith(("//", "/\\")):
        return value
    return None


def came_over_https(request: Request) -> bool:
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return request.url.scheme == "https" or forwarded == "https"


@router.get("")
async def console_home(user: SignedIn) -> RedirectResponse:
    return see_other(start_page(user.session.role, user.session.companyId))


@router.get("/login")
async def login_page(request: Request) -> Response:
    token = request.cookies.get(SESSION_COOKIE, "")
    session = await services_of(request).console_sessions.resume(token)
    if session is not None:
        return see_other(start_page(session.role, session.companyId))
    return await _login_form(request, _safe_next(request.query_params.get("next")), {})


async def _login_form(request: Request, next_path: str | None, values: dict[str, str],
                      status: int = 200, errors: dict[str, str] | None = None,
                      headers: dict[str, str] | None = None) -> Response:
    """The form with a fresh sign-in token, in its field and in a cookie."""
    token = secrets.token_urlsafe(24)
    response = await render(request, "login.html", status=status, next=next_path,
                            values=values, errors=errors or {}, login_token=token,
                            headers=headers)
    response.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="strict",
                        secure=came_over_https(request), path="/console/login")
    return response


@router.post("/login")
async def login(request: Request) -> Response:
    form = await request.form()
    email, password = str(form.get("email", "")), str(form.get("password", ""))
    next_path = _safe_next(str(form.get("next", "")))
    require_csrf(str(form.get(CSRF_FIELD, "")), request.cookies.get(LOGIN_COOKIE, ""))
    try:
        credentials = LoginRequest.model_validate({"email": email, "password": password})
        user = await sign_in(request, credentials.email, credentials.password)
    except ValidationError as exc:
        return await _login_form(request, next_path, {"email": email}, 422,
                                 model_errors(exc, ["email", "password"]))
    except ApiError as exc:
        return await _login_form(request, next_path, {"email": email}, exc.status,
                                 {"": exc.message.capitalize()}, exc.headers)
    token, _ = await services_of(request).console_sessions.start(user)
    response = see_other(next_path or start_page(user.role, user.companyId))
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="strict",
                        secure=came_over_https(request), path="/console")
    response.delete_cookie(LOGIN_COOKIE, path="/console/login")
    return response


@router.post("/logout")
async def logout(request: Request, user: SignedIn) -> Response:
    await services_of(request).console_sessions.end(user.token)
    response = see_other("/console/login", "signed-out")
    response.delete_cookie(SESSION_COOKIE, path="/console", httponly=True, samesite="strict",
                           secure=came_over_https(request))
    return response

