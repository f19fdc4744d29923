"""The whole app in process, over a Redis database of its own: for the user-management
tests, whose last-platform-admin rule counts every user there is (the session's shared
database holds the other suites' admins); and `people`, the users those tests change."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis

from runtime.serve.app import create_api
from runtime.serve.services import Services
from runtime.settings import Settings
from tenancy.users import Role
from tests.serve_fixtures import (
    JWT_SECRET,
    PLATFORM_TWILIO_TOKEN,
    PUBLIC_BASE_URL,
    SECRET_KEY,
    new_company_body,
)

USERS_DB = 12  # no other test uses it
PASSWORD = "users-pass-0001"
NEW_PASSWORD = "another-pass-0002"
OWNER = "owner@gulfair.example"  # the company admin of `people`
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "no csrf_token on the page"
    return match.group(1)


@dataclass
class InProcessApp:
    services: Services
    transport: httpx.ASGITransport

    def client(self, token: str | None = None) -> httpx.AsyncClient:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.AsyncClient(transport=self.transport, base_url="http://testserver",
                                 headers=headers)

    def token(self, role: Role, company_id: str | None = None, sub: str | None = None) -> str:
        return self.services.tokens.mint(sub or f"{role.value}@test", role, company_id)

    async def console(self, email: str, password: str = PASSWORD) -> ConsoleBrowser:
        """A browser signed in to the console as `email` (through the sign-in form)."""
        http = self.client()
        login = await http.get("/console/login")
        signed = await http.post("/console/login", data={
            "email": email, "password": password, "csrf_token": csrf_of(login.text)})
        assert signed.status_code == 303, signed.text
        home = await http.get("/console", follow_redirects=True)
        return ConsoleBrowser(http, csrf_of(home.text))


@dataclass
class ConsoleBrowser:
    http: httpx.AsyncClient
    csrf: str

    async def post(self, path: str, form: dict[str, str] | None = None) -> httpx.Response:
        return await self.http.post(path, data={**(form or {}), "csrf_token": self.csrf})


@pytest.fixture
async def users_app(redis_url: str, tmp_path) -> AsyncIterator[InProcessApp]:
    url = redis_url.rsplit("/", 1)[0] + f"/{USERS_DB}"
    async with aioredis.Redis.from_url(url) as redis:
        await redis.flushdb()
    settings = Settings(redis_url=url, jwt_secret=JWT_SECRET, clientsvia_secret_key=SECRET_KEY,
                        public_base_url=PUBLIC_BASE_URL, provider_mode="doubles",
                        twilio_auth_token=PLATFORM_TWILIO_TOKEN, parquet_root=str(tmp_path),
                        bcrypt_rounds=4)
    services = Services.from_settings(settings)
    yield InProcessApp(services, httpx.ASGITransport(app=create_api(services)))
    await services.close()


async def add_user(admin: httpx.AsyncClient, email: str, role: Role,
                   company_id: str | None = None) -> None:
    created = await admin.post("/api/admin/users", json={
        "email": email, "password": PASSWORD, "role": role.value, "companyId": company_id})
    assert created.status_code == 201, created.text


@pytest.fixture
async def people(users_app: InProcessApp) -> dict[str, Any]:
    """One stored platform admin, two companies, and a company admin and viewer."""
    async with users_app.client(users_app.token(Role.PLATFORM_ADMIN)) as admin:
        company = (await admin.post("/api/company", json=new_company_body("Gulf Air"))).json()
        other = (await admin.post("/api/company", json=new_company_body("Bay Heat"))).json()
        await add_user(admin, "boss@platform.example", Role.PLATFORM_ADMIN)
        await add_user(admin, OWNER, Role.COMPANY_ADMIN, company["_id"])
        await add_user(admin, "desk@gulfair.example", Role.COMPANY_VIEWER, company["_id"])
    return {"company": company["_id"], "other": other["_id"]}


async def change_owner(users_app: InProcessApp, people: dict[str, Any], change: str) -> None:
    """A platform admin changes `OWNER`: demotion, company, password or removal."""
    path = f"/api/admin/users/{OWNER}"
    async with users_app.client(users_app.token(Role.PLATFORM_ADMIN)) as admin:
        if change == "demotion":
            answer = await admin.patch(path, json={"role": "company_viewer"})
        elif change == "company":
            answer = await admin.patch(path, json={"companyId": people["other"]})
        elif change == "password":
            answer = await admin.post(path + "/password", json={"password": NEW_PASSWORD})
        elif change == "removal":
            answer = await admin.delete(path)
        else:
            raise ValueError(change)
    assert answer.status_code == 200, answer.text
