"""People who sign in to the admin API: hashed passwords and one role each.

Users are global (`g:user:{email}`): a company admin belongs to exactly one
company, recorded on the user, and the token minted at login carries it.
"""

from __future__ import annotations

from enum import StrEnum

import redis.asyncio as aioredis
from pydantic import Field, model_validator

from tenancy.errors import Conflict
from tenancy.models.common import ApiModel, Email
from tenancy.passwords import MIN_PASSWORD_LENGTH, PasswordHasher, check_password_bytes


class Role(StrEnum):
    PLATFORM_ADMIN = "platform_admin"
    COMPANY_ADMIN = "company_admin"
    COMPANY_VIEWER = "company_viewer"


class User(ApiModel):
    email: Email
    role: Role
    companyId: str | None = Field(default=None, pattern=r"^[0-9a-f]{24}$")
    passwordHash: str

    @model_validator(mode="after")
    def _company_roles_need_company(self) -> User:
        if self.role is Role.PLATFORM_ADMIN and self.companyId is not None:
            raise ValueError("a platform admin does not belong to a company")
        if self.role is not Role.PLATFORM_ADMIN and self.companyId is None:
            raise ValueError(f"role {self.role} needs a companyId")
        return self


def _user_key(email: str) -> str:
    return f"g:user:{email.lower()}"


class UserStore:
    def __init__(self, redis: aioredis.Redis, bcrypt_rounds: int = 12) -> None:
        self._redis = redis
        self.hasher = PasswordHasher(bcrypt_rounds)

    async def create(
        self, email: str, password: str, role: Role, company_id: str | None = None
    ) -> User:
        if len(password) < MIN_PASSWORD_LENGTH:
            raise ValueError(f"password must be at least {MIN_PASSWORD_LENGTH} characters")
        check_password_bytes(password)
        hashed = await self.hasher.hash(password)
        user = User(email=email, role=role, companyId=company_id, passwordHash=hashed)
        if not await self._redis.set(_user_key(user.email), user.model_dump_json(), nx=True):
            raise Conflict(f"user {user.email} already exists")
        return user

    async def get(self, email: str) -> User | None:
        raw = await self._redis.get(_user_key(email))
        return None if raw is None else User.model_validate_json(raw)

    async def authenticate(self, email: str, password: str) -> User | None:
        """The user if the password matches; unknown emails cost one bcrypt check too."""
        user = await self.get(email)
        matches = await self.hasher.check(password, user.passwordHash if user else None)
        return user if user is not None and matches else None
