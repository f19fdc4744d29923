"""Signing in and out of the console, in a real browser, and the refusals around it."""

from __future__ import annotations

import httpx
import pytest
from playwright.async_api import Page, expect

from tests.console.browser import check_page, sign_in
from tests.console.http_session import Session, form_token
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
    session = Session(api_server, tenant["admin"])
    token = session.http.cookies["cv_console"]
    assert session.http.get(tenant["base"] + "/profile").status_code == 200
    session.http.post("/console/logout", data={"csrf_token": session.csrf})
    with httpx.Client(base_url=api_server.base_url, cookies={"cv_console": token}) as replay:
        response = replay.get(tenant["base"] + "/profile")
    assert response.status_code == 303 and "/console/login" in response.headers["location"]


def test_a_sign_in_posted_from_elsewhere_is_refused(api_server, tenant):
    """No sign-in token (a form on another site cannot read ours): no session."""
    with httpx.Client(base_url=api_server.base_url) as client:
        forged = client.post("/console/login", data=tenant["admin"])
        login = client.get("/console/login")
        stale = client.post("/console/login", data={
            **tenant["admin"], "csrf_token": form_token(login.text) + "x"})
    assert forged.status_code == stale.status_code == 403
    assert "cv_console" not in client.cookies


async def test_a_company_user_cannot_open_another_company_by_url(page: Page, tenant, api_server):
    with api_server.client(api_server.admin_token) as admin:
        other = admin.post("/api/company", json=new_company_body("Other Heating")).json()
    await sign_in(page, tenant["admin"]["email"], tenant["admin"]["password"])
    response = await page.goto(f"/console/company/{other['_id']}/profile")
    assert response is not None and response.status == 404
    assert "Other Heating" not in await page.content()
    await check_page(page, "not-found")
