"""Console browser fixtures: one Chromium per session, a fresh context (cookies) per test,
console errors checked after every test, and a company with an admin and a viewer."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from typing import Any

import pytest
from playwright.async_api import Browser, Page, async_playwright

from tenancy.users import Role
from tests.console.browser import CHROMIUM, CHROMIUM_ARGS, DESKTOP, ConsoleErrors
from tests.serve_fixtures import new_company_body, unique_number

PASSWORD = "console-pass-" + secrets.token_hex(4)


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                    args=CHROMIUM_ARGS)
        yield chromium
        await chromium.close()


@pytest.fixture
async def page(browser: Browser, api_server) -> AsyncIterator[Page]:
    """A page in a fresh browser context (no cookies), failing the test on console errors."""
    context = await browser.new_context(base_url=api_server.base_url, viewport=DESKTOP)
    errors = ConsoleErrors()
    page = await context.new_page()
    errors.watch(page)
    yield page
    await context.close()
    errors.expect_none()


def new_user(admin, role: Role, company_id: str | None) -> dict[str, str]:
    email = f"{role.value.replace('_', '-')}-{secrets.token_hex(4)}@console.test"
    created = admin.post("/api/admin/users", json={
        "email": email, "password": PASSWORD, "role": role.value, "companyId": company_id})
    assert created.status_code == 201, created.text
    return {"email": email, "password": PASSWORD}


@pytest.fixture(scope="module")
def tenant(api_server) -> dict[str, Any]:
    """A company on a number of its own, its admin and viewer, and a platform admin."""
    with api_server.client(api_server.admin_token) as admin:
        company = admin.post("/api/company", json=new_company_body(
            "Console Cooling " + secrets.token_hex(2), numbers=(unique_number(),))).json()
        return {
            "company": company,
            "base": f"/console/company/{company['_id']}",
            "admin": new_user(admin, Role.COMPANY_ADMIN, company["_id"]),
            "viewer": new_user(admin, Role.COMPANY_VIEWER, company["_id"]),
            "platform": new_user(admin, Role.PLATFORM_ADMIN, None),
        }
