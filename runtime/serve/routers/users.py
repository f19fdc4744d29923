"""Platform-admin routes for the people who sign in: create, list, change, reset, remove.

A change of role or company, a new password and a removal each end the user's console
sessions (tenancy/users.py); the last platform admin can be neither demoted nor removed.
The console's user pages (runtime/serve/console/pages/users.py) go through the same
models and `apply_user_change`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import Field

from runtime.serve.auth import require_platform_admin
from runtime.serve.errors import ApiError
from runtime.serve.services import Services
from runtime.serve.views import services_of
from tenancy.errors import InvalidDocument, NotFound
from tenancy.models.common import ApiModel, Email
from tenancy.passwords import MIN_PASSWORD_LENGTH
from tenancy.users import Role, User

router = APIRouter(tags=["platform"], dependencies=[Depends(require_platform_admin)])

COMPANY_ID_PATTERN = r"^[0-9a-f]{24}$"
NewPasswordText = Annotated[str, Field(min_length=MIN_PASSWORD_LENGTH, max_length=200)]
UserEmail = Annotated[str, Path(max_length=254, description="the user's email")]


class NewUser(ApiModel):
    email: Email
    password: NewPasswordText
    role: Role
    companyId: str | None = Field(default=None, pattern=COMPANY_ID_PATTERN)


class UserChange(ApiModel):
    """The fields given are changed (a platform admin has no company: send
    `"companyId": null` with that role; a company role needs one)."""

    role: Role | None = None
    companyId: str | None = Field(default=None, pattern=COMPANY_ID_PATTERN)


class PasswordReset(ApiModel):
    password: NewPasswordText


def user_view(user: User) -> dict[str, Any]:
    return {"email": user.email, "role": user.role.value, "companyId": user.companyId}


async def apply_user_change(services: Services, email: str, change: UserChange) -> User:
    """The user with `change` applied; InvalidDocument (422) names what was wrong."""
    changes = change.model_dump(include=change.model_fields_set)
    if await services.users.get(email) is None:  # a clear 404 before any other complaint
        raise NotFound(f"user {email} not found")
    if not changes:
        raise InvalidDocument("give a role and/or a companyId to change")
    await _known_company(services, changes.get("companyId"))
    return await services.users.update(email, changes)


async def _known_company(services: Services, company_id: str | None) -> None:
    """A user's company must exist: 422 on the `companyId` field (the body is wrong, not
    the URL), for a new user as for a changed one."""
    if company_id is None:
        return
    try:
        await services.registry.get(company_id)
    except NotFound as exc:
        raise InvalidDocument(f"company {company_id} not found", [
            {"field": "companyId", "message": "no such company"}]) from exc


def _invalid_password(exc: ValueError) -> ApiError:
    return ApiError(422, "VALIDATION_ERROR", str(exc).splitlines()[0])


@router.post("/api/admin/users", status_code=201, summary="Create a user")
async def create_user(request: Request, new_user: NewUser) -> dict[str, Any]:
    services = services_of(request)
    await _known_company(services, new_user.companyId)
    try:
        user = await services.users.create(
            new_user.email, new_user.password, new_user.role, new_user.companyId
        )
    except ValueError as exc:
        raise _invalid_password(exc) from exc
    return user_view(user)


@router.get("/api/admin/users", summary="Every user, or one company's")
async def list_users(
    request: Request,
    companyId: Annotated[str | None, Query(pattern=COMPANY_ID_PATTERN)] = None,  # noqa: N803
) -> list[dict[str, Any]]:
    return [user_view(user) for user in await services_of(request).users.list(companyId)]


@router.patch("/api/admin/users/{email}", summary="Change a user's role and/or company",
              description="Ends the user's console sessions when something changes.")
async def change_user(request: Request, email: UserEmail, change: UserChange) -> dict[str, Any]:
    return user_view(await apply_user_change(services_of(request), email, change))


@router.post("/api/admin/users/{email}/password", summary="Set a new password for a user",
             description="Ends the user's console sessions.")
async def reset_password(request: Request, email: UserEmail,
                         reset: PasswordReset) -> dict[str, Any]:
    try:
        user = await services_of(request).users.reset_password(email, reset.password)
    except ValueError as exc:
        raise _invalid_password(exc) from exc
    return user_view(user)


@router.delete("/api/admin/users/{email}", summary="Remove a user",
               description="Ends the user's console sessions; the last platform admin stays.")
async def remove_user(request: Request, email: UserEmail) -> dict[str, Any]:
    await services_of(request).users.remove(email)
    return {"deleted": True, "email": email.lower()}
