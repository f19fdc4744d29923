"""The console's data pages in a real browser: a test call placed from the console lands
in the call logs and the charts; a viewer reads every data page with no change control;
an admin cancels a booking and handles a message; another company sees none of it."""

from __future__ import annotations

import asyncio
import secrets
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import redis.asyncio as aioredis
from playwright.async_api import Dialog, Page, expect

from tenancy.models.messages import MessageFields, NotificationFields
from tenancy.registry import CompanyRegistry
from tenancy.secrets import SecretBox
from tenancy.users import Role
from tests.console.browser import check_page, sign_in
from tests.console.conftest import new_user
from tests.console.http_session import Session
from tests.serve_fixtures import SECRET_KEY, new_company_body, next_weekday_at, unique_number
from tests.twilio_webhooks import ALWAYS_OPEN

pytestmark = pytest.mark.ray

DATA_PAGES = ("calls", "analytics", "test-call", "bookings", "messages", "notifications")
CALLER_LINE = "Do you service heat pumps?"


async def _seed_inbox(redis_url: str, company_id: str) -> dict[str, str]:
    """A message the agent took and the text sent about it, as a call would leave them."""
    redis = aioredis.Redis.from_url(redis_url)
    try:
        store = CompanyRegistry(redis, SecretBox(SECRET_KEY)).tenant(company_id)
        message = await store.messages.add(MessageFields(
            callSid="CA" + secrets.token_hex(16), callerNumber="+12395550142",
            callerName="Dana Reyes", text="Please call back about a leaking condenser"))
        await store.notifications.add(NotificationFields(
            channel="sms", to="+12395550177", body="New message from Dana Reyes",
            reason="message", status="delivered", messageId=message.id))
        return {"message": message.id}
    finally:
        await redis.aclose()


@pytest.fixture(scope="module")
def shop(api_server) -> dict[str, Any]:
    """A company open around the clock, its admin and viewer, a booking and a message."""
    with api_server.client(api_server.admin_token) as admin:
        company = admin.post("/api/company", json={
            **new_company_body("Data Pages HVAC " + secrets.token_hex(2),
                               numbers=(unique_number(),)),
            "agentSetup": {"operatingHours": ALWAYS_OPEN}}).json()
        users = {role: new_user(admin, role, company["_id"])
                 for role in (Role.COMPANY_ADMIN, Role.COMPANY_VIEWER)}
        visit = next_weekday_at(10, after_days=3)
        booking = admin.post(f"/api/company/{company['_id']}/bookings", json={
            "start": visit.isoformat(), "service": "Service visit", "customerName": "Dana Reyes",
            "customerPhone": "+12395550142", "address": "12 Palm Ave, Fort Myers"})
        assert booking.status_code == 201, booking.text
    with ThreadPoolExecutor(1) as thread:  # pytest's event loop is running in this one
        seeded = thread.submit(asyncio.run, _seed_inbox(api_server.settings["redis_url"],
                                                        company["_id"])).result()
    return {"company": company, "base": f"/console/company/{company['_id']}",
            "admin": users[Role.COMPANY_ADMIN], "viewer": users[Role.COMPANY_VIEWER],
            "booking": booking.json(), "week": visit.date().isoformat(), **seeded}


async def accept_dialog(dialog: Dialog) -> None:
    """The cancel button asks first (data-confirm); say yes."""
    await dialog.accept()


def stored_statuses(api_server, shop) -> tuple[str, list[str]]:
    """The booking's and the messages' statuses, as the API reads them."""
    with api_server.client(api_server.admin_token) as admin:
        company = f"/api/company/{shop['company']['_id']}"
        booking = admin.get(f"{company}/bookings/{shop['booking']['_id']}").json()
        return booking["status"], [m["status"] for m in admin.get(f"{company}/messages").json()]


def company_today(shop) -> str:
    return datetime.now(ZoneInfo(shop["company"]["timezone"])).date().isoformat()


async def test_a_test_call_from_the_console_lands_in_the_call_logs_and_the_charts(
        page: Page, shop, call_pool):
    await sign_in(page, shop["admin"]["email"], shop["admin"]["password"])
    await page.goto(shop["base"] + "/test-call")
    await check_page(page, "test call")
    await page.get_by_label("What the caller says").fill(f"{CALLER_LINE}\nThanks, goodbye")
    await page.get_by_role("button", name="Place test call").click()
    await expect(page.get_by_text("was placed")).to_be_visible()
    # The page polls the call's log: the transcript appears once the LogSink wrote it.
    await expect(page.locator('[data-state="landed"]')).to_be_visible(timeout=90_000)
    await expect(page.locator(".transcript")).to_contain_text(CALLER_LINE)
    await check_page(page, "test call result")

    await page.get_by_role("link", name="open it there").click()
    await expect(page.locator(".transcript")).to_contain_text(CALLER_LINE)
    await check_page(page, "call detail")
    await page.get_by_role("link", name="All calls").click()
    rows = page.locator("main table tbody tr")
    await expect(rows).to_have_count(1)
    await check_page(page, "calls")

    await page.goto(shop["base"] + "/analytics")
    today = company_today(shop)
    await expect(page.locator("#calls-per-day tbody tr", has_text=today)).to_contain_text("1")
    bar = page.locator("#chart-calls-per-day rect title", has_text=f"{today[5:]}: 1")
    await expect(bar).to_have_count(1)
    await expect(page.locator("#containment tbody")).to_contain_text("1")
    await check_page(page, "analytics")


async def test_a_viewer_reads_every_data_page_with_no_change_control(page: Page, shop):
    await sign_in(page, shop["viewer"]["email"], shop["viewer"]["password"])
    for segment in DATA_PAGES:
        query = f"?week={shop['week']}" if segment == "bookings" else ""
        await page.goto(f"{shop['base']}/{segment}{query}")
        nav_link = page.get_by_role("link", name=segment.replace("-", " ").capitalize(),
                                    exact=True)
        await expect(nav_link).to_have_attribute("aria-current", "page")
        await expect(page.locator("main form[method=post]")).to_have_count(0)
        await check_page(page, f"viewer {segment}")
    await page.goto(f"{shop['base']}/bookings?week={shop['week']}")
    await expect(page.locator(".booking")).to_contain_text("Dana Reyes")
    await page.goto(shop["base"] + "/messages")
    await expect(page.locator(".message")).to_contain_text("leaking condenser")
    await page.goto(shop["base"] + "/notifications")
    await expect(page.locator("main table")).to_contain_text("New message from Dana Reyes")


async def test_a_bad_date_range_is_explained_next_to_its_field(page: Page, shop):
    await sign_in(page, shop["viewer"]["email"], shop["viewer"]["password"])
    response = await page.goto(shop["base"] + "/calls?from=2026-02-30")
    assert response is not None and response.status == 400
    await expect(page.locator("#f-from-error")).to_contain_text("valid date")
    await expect(page.get_by_label("From")).to_have_attribute("aria-invalid", "true")
    await check_page(page, "calls bad date")
    response = await page.goto(shop["base"] + "/analytics?from=2026-03-09&to=2026-03-01")
    assert response is not None and response.status == 400
    await expect(page.locator(".error-summary")).to_contain_text("on or before")


def test_a_viewers_forged_changes_are_refused_and_change_nothing(api_server, shop):
    viewer = Session(api_server, shop["viewer"])
    try:
        for path, form in ((f"/bookings/{shop['booking']['_id']}/cancel", {}),
                           (f"/messages/{shop['message']}/status", {"status": "handled"}),
                           ("/test-call", {"lines": CALLER_LINE})):
            refused = viewer.http.post(shop["base"] + path,
                                       data={**form, "csrf_token": viewer.csrf})
            assert refused.status_code == 403, path
    finally:
        viewer.http.close()
    assert stored_statuses(api_server, shop) == ("confirmed", ["new"])


async def test_an_admin_cancels_a_booking_and_handles_a_message(page: Page, api_server, shop):
    await sign_in(page, shop["admin"]["email"], shop["admin"]["password"])
    page.on("dialog", accept_dialog)
    await page.goto(f"{shop['base']}/bookings?week={shop['week']}")
    await check_page(page, "bookings")
    await page.get_by_role("button", name="Cancel booking").first.click()
    await expect(page.locator(".booking .badge.cancelled")).to_have_count(1)
    await expect(page.get_by_role("button", name="Cancel booking")).to_have_count(0)

    await page.goto(shop["base"] + "/messages?status=new")
    await check_page(page, "messages")
    await page.get_by_role("button", name="Mark handled").click()
    await expect(page.locator(".message")).to_have_count(0)
    await page.goto(shop["base"] + "/messages?status=handled")
    await expect(page.locator(".message")).to_contain_text("leaking condenser")
    await page.goto(shop["base"] + "/notifications")
    await check_page(page, "notifications")
    assert stored_statuses(api_server, shop) == ("cancelled", ["handled"])


async def test_another_company_cannot_open_the_data_pages_by_url(page: Page, api_server, shop):
    with api_server.client(api_server.admin_token) as admin:
        other = admin.post("/api/company", json=new_company_body("Elsewhere Air")).json()
        intruder = new_user(admin, Role.COMPANY_ADMIN, other["_id"])
    await sign_in(page, intruder["email"], intruder["password"])
    paths = [*DATA_PAGES, f"bookings?week={shop['week']}", "calls/CA0123456789abcdef",
             "test-call/CA0123456789abcdef", "test-call/CA0123456789abcdef/transcript"]
    for path in paths:
        response = await page.goto(f"{shop['base']}/{path}")
        assert response is not None and response.status == 404, path
        html = await page.content()
        assert shop["company"]["companyName"] not in html and "Dana Reyes" not in html
    await check_page(page, "not found")
