"""Platform administrators' page for one user: role and company, a new password, removal.

Each change goes through the API's models and calls (runtime/serve/routers/users.py), so
it ends the user's console sessions as the API's does and the last platform admin stays.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from runtime.serve.console.access import PlatformAdmin
from runtime.serve.console.forms import Field, field_errors, model_errors, read_form
from runtime.serve.console.refusals import not_found
from runtime.serve.console.rendering import render, see_other
from runtime.serve.routers.users import PasswordReset, UserChange, UserEmail, apply_user_change
from runtime.serve.views import services_of
from tenancy.errors import Conflict, InvalidDocument, NotFound
from tenancy.users import Role

router = APIRouter(prefix="/console/users", include_in_schema=False)

ACCESS_FIELDS = [Field("role"), Field("companyId", "optional")]
ACCESS_NAMES = [f.name for f in ACCESS_FIELDS]
PASSWORD_FIELDS = [Field("password")]


async def _user_page(request: Request, admin: PlatformAdmin, email: str, status: int = 200,
                     *, form: str = "", values: dict[str, Any] | None = None,
                     errors: dict[str, str] | None = None) -> Response:
    """The user and the three forms; `form` names the one that failed ("access",
    "password" or "remove"), whose top-level error shows above it."""
    services = services_of(request)
    person = await services.users.get(email)
    if person is None:
        raise not_found()
    companies = await services.registry.list()
    errors = dict(errors or {})
    form_error = errors.pop("", None)
    return await render(
        request, "user.html", user=admin, status=status, person=person,
        company_options=[("", "None")] + [(c.id, c.companyName) for c in companies],
        roles=[r.value for r in Role],
        values={"role": person.role.value, "companyId": person.companyId or "",
                **(values or {})},
        errors=errors, form_errors={form: form_error} if form_error else {})


@router.get("/{email}")
async def user_page(request: Request, admin: PlatformAdmin, email: UserEmail) -> Response:
    return await _user_page(request, admin, email)


@router.post("/{email}")
async def change_access(request: Request, admin: PlatformAdmin, email: UserEmail) -> Response:
    form = await request.form()
    values = read_form(form, ACCESS_FIELDS)
    shown = {name: values.get(name) or "" for name in ACCESS_NAMES}
    try:
        await apply_user_change(services_of(request), email, UserChange.model_validate(values))
    except ValidationError as exc:
        return await _user_page(request, admin, email, 422, form="access", values=shown,
                                errors=model_errors(exc, ACCESS_NAMES))
    except NotFound as exc:
        raise not_found() from exc
    except InvalidDocument as exc:
        details = exc.details or [{"field": "", "message": str(exc)}]
        return await _user_page(request, admin, email, 422, form="access", values=shown,
                                errors=field_errors(details, ACCESS_NAMES))
    except Conflict as exc:
        return await _user_page(request, admin, email, 409, form="access", values=shown,
                                errors={"": str(exc)})
    return see_other("/console/companies", "user-changed")


@router.post("/{email}/password")
async def reset_password(request: Request, admin: PlatformAdmin, email: UserEmail) -> Response:
    values = read_form(await request.form(), PASSWORD_FIELDS)
    try:
        reset = PasswordReset.model_validate(values)
        await services_of(request).users.reset_password(email, reset.password)
    except ValidationError as exc:
        return await _user_page(request, admin, email, 422, form="password",
                                errors=model_errors(exc, ["password"]))
    except NotFound as exc:
        raise not_found() from exc
    except ValueError as exc:  # the store's own password rules (bcrypt's 72 bytes)
        return await _user_page(request, admin, email, 422, form="password",
                                errors={"password": str(exc)})
    return see_other("/console/companies", "password-reset")


@router.post("/{email}/delete")
async def remove_user(request: Request, admin: PlatformAdmin, email: UserEmail) -> Response:
    try:
        await services_of(request).users.remove(email)
    except NotFound as exc:
        raise not_found() from exc
    except Conflict as exc:
        return await _user_page(request, admin, email, 409, form="remove",
                                errors={"": str(exc)})
    return see_other("/console/companies", "user-removed")
