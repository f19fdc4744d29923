"""Signing in and out of the console, in a real browser, and the refusals around it."""

from __future__ import annotations

import httpx
import pytest
from playwright.async_api import Page, expect

from tests.console.browser import check_page, sign_in
from tests.console.conftest import PASSWORD
from tests.serve_fixtures import new_company_body

pytestmark = pytest.mark.ray


async def test_sign_in_lands_on_the_company_and_sign_out_ends_the_session(page: Page, tenant):
    await page.goto(tenant["base"] + "/profile")  # not signed in: sent to sign in first
    assert page.url.endswith(f"/console/login?next={tenant['base']}/profile")
    await check_page(page, "login")
    await sign_in(page, tenant["admin"]["email"], tenant["admin"]["password"])
    assert page.url.endswith(tenant["base"] + "/profile")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Profile")
    await expect(page.get_by_label("Company name")).to_have_value(
        tenant["company"]["companyName"])
    cookie = next(c for c in await page.context.cookies() if c["name"] == "cv_console")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/console"
    await check_page(page, "profile")

    await page.get_by_role("button", name="Sign out").click()
    await expect(page.get_by_role("status")).to_have_text("You are signed out.")
    assert not [c for c in await page.context.cookies() if c["name"] == "cv_console"]
    await page.go_back()  # the profile page was no-store: the browser must ask again
    assert "/console/login" in page.url
    assert tenant["company"]["companyName"] not in await page.content()


async def test_a_wrong_password_is_refused_on_the_form(page: Page, tenant):
    with pytest.raises(Exception, match="Email or password is wrong"):
        await sign_in(page, tenant["admin"]["email"], "not-the-password")
    await expect(page.get_by_label("Email")).to_have_value(tenant["admin"]["email"])
    await expect(page.get_by_label("Password")).to_have_value("")


def test_a_session_cookie_from_before_logout_opens_nothing(api_server, tenant):
    with httpx.Client(base_url=api_server.base_url) as client:
        client.post("/console/login", data={"email": tenant["admin"]["email"],
                                             "password": PASSWORD})
        token = client.cookies["cv_console"]
        page = client.get(tenant["base"] + "/profile")
        assert page.status_code == 200
        csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        client.post("/console/logout", data={"csrf_token": csrf})
    with httpx.Client(base_url=api_server.base_url, cookies={"cv_console": token}) as replay:
        response = replay.get(tenant["base"] + "/profile")
    assert response.status_code == 303 and "/console/login" in response.headers["location"]


async def test_a_company_user_cannot_open_another_company_by_url(page: Page, tenant, api_server):
    with api_server.client(api_server.admin_token) as admin:
        other = admin.post("/api/company", json=new_company_body("Other Heating")).json()
    await sign_in(page, tenant["admin"]["email"], tenant["admin"]["password"])
    response = await page.goto(f"/console/company/{other['_id']}/profile")
    assert response is not None and response.status == 404
    assert "Other Heating" not in await page.content()
    await check_page(page, "not-found")
