"""The console's text threads and learning suggestions in a real browser: a viewer reads
both with no change control (and a forged approval is refused); an admin's blank answer is
explained next to its field and stores nothing, an edited one lands in the knowledge base."""

from __future__ import annotations

import asyncio
import secrets
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import quote

import pytest
import redis.asyncio as aioredis
from playwright.async_api import Page, expect

from tenancy.models.sms import SmsThread, ThreadText
from tenancy.registry import CompanyRegistry
from tenancy.secrets import SecretBox
from tenancy.users import Role
from tests.console.browser import check_page, sign_in
from tests.console.conftest import new_user
from tests.console.http_session import Session
from tests.serve_fixtures import SECRET_KEY, new_company_body, seed_call_logs, unique_number
from tests.test_api_cross_tenant import seeded_call

pytestmark = pytest.mark.ray

GAP_QUESTION = "TARGET-GAP-QUESTION about boilers"  # the unanswered turn of `seeded_call`
CALL_LOG_STREAM = "g:stream:test-console-texts-suggestions"
ANSWER = "Yes: we service every make of gas and oil boiler."


async def _seed_texts(redis_url: str, company_id: str) -> dict[str, str]:
    """Two customers' threads, one of whom replied STOP, as inbound texts leave them."""
    redis = aioredis.Redis.from_url(redis_url)
    try:
        sms = CompanyRegistry(redis, SecretBox(SECRET_KEY)).tenant(company_id).sms
        numbers = {"texting": unique_number(), "stopped": unique_number()}
        for who, number in numbers.items():
            thread = SmsThread(number=number)
            thread.add(ThreadText(role="customer", text=f"Hello from the {who} customer"))
            thread.add(ThreadText(role="agent", text="Hi! How can we help?"))
            await sms.save(thread)
        await sms.opt_out(numbers["stopped"])
        return numbers
    finally:
        await redis.aclose()


@pytest.fixture(scope="module")
def shop(api_server) -> dict[str, Any]:
    """A company with an admin and a viewer, two text threads and one learning suggestion."""
    with api_server.client(api_server.admin_token) as admin:
        company = admin.post("/api/company", json=new_company_body(
            "Texting HVAC " + secrets.token_hex(2), numbers=(unique_number(),))).json()
        users = {role: new_user(admin, role, company["_id"])
                 for role in (Role.COMPANY_ADMIN, Role.COMPANY_VIEWER)}
    with ThreadPoolExecutor(1) as thread:  # pytest's event loop is running in this one
        numbers = thread.submit(asyncio.run, _seed_texts(api_server.settings["redis_url"],
                                                         company["_id"])).result()
        thread.submit(seed_call_logs, api_server, seeded_call(company["_id"]),
                      CALL_LOG_STREAM).result()
    return {"company": company, "api": f"/api/company/{company['_id']}",
            "base": f"/console/company/{company['_id']}", "numbers": numbers,
            "admin": users[Role.COMPANY_ADMIN], "viewer": users[Role.COMPANY_VIEWER]}


def stored(api_server, shop) -> tuple[list[dict], list[dict]]:
    """The suggestions and the knowledge entries, as the API reads them."""
    with api_server.client(api_server.admin_token) as admin:
        return (admin.get(shop["api"] + "/suggestions").json(),
                admin.get(shop["api"] + "/knowledge").json())


def statuses(suggestions: list[dict]) -> list[str]:
    return [s["status"] for s in suggestions]


async def test_a_viewer_reads_texts_and_suggestions_but_cannot_decide(
        page: Page, api_server, shop):
    await sign_in(page, shop["viewer"]["email"], shop["viewer"]["password"])
    await page.goto(shop["base"] + "/texts")
    rows = page.locator("main table tbody tr")
    await expect(rows).to_have_count(2)
    await expect(rows.filter(has_text=shop["numbers"]["stopped"])).to_contain_text("Opted out")
    await expect(rows.filter(has_text=shop["numbers"]["texting"])).not_to_contain_text(
        "Opted out")
    await check_page(page, "texts")
    await page.get_by_role("link", name=shop["numbers"]["stopped"]).click()
    await expect(page.locator(".transcript li")).to_have_count(2)
    await expect(page.locator(".transcript")).to_contain_text("Hello from the stopped customer")
    await expect(page.locator(".facts")).to_contain_text("Opted out")
    await check_page(page, "text thread")

    await page.goto(shop["base"] + "/suggestions")
    await expect(page.locator(".suggestion h2")).to_have_text(GAP_QUESTION)
    await expect(page.locator(".suggestion .facts")).to_contain_text("1 time")
    await expect(page.locator("main form")).to_have_count(0)
    await check_page(page, "viewer suggestions")

    [suggestion], _ = stored(api_server, shop)
    viewer = Session(api_server, shop["viewer"])
    try:
        for decision in ("approve", "reject"):
            forged = viewer.http.post(f"{shop['base']}/suggestions/{suggestion['_id']}/"
                                      f"{decision}", data={"answer": ANSWER,
                                                           "csrf_token": viewer.csrf})
            assert forged.status_code == 403, decision
    finally:
        viewer.http.close()
    suggestions, knowledge = stored(api_server, shop)
    assert statuses(suggestions) == ["open"] and knowledge == []


async def test_an_admin_approves_a_suggestion_with_an_edited_answer(page: Page, api_server, shop):
    await sign_in(page, shop["admin"]["email"], shop["admin"]["password"])
    await page.goto(shop["base"] + "/suggestions")
    answer = page.get_by_label("Answer")
    await answer.fill("")  # no answer was proposed (no drafting model): one is needed
    await page.get_by_role("button", name="Approve").click()
    await expect(page.locator(".suggestion .field-error")).to_contain_text("no proposed answer")
    await expect(answer).to_have_attribute("aria-invalid", "true")
    await check_page(page, "suggestions answer missing")
    suggestions, knowledge = stored(api_server, shop)
    assert statuses(suggestions) == ["open"] and knowledge == []  # nothing half-saved

    await answer.fill(ANSWER)
    await page.get_by_role("button", name="Approve").click()
    await expect(page.locator(".notice")).to_contain_text("approved")
    await expect(page.locator("main form")).to_have_count(0)
    await check_page(page, "suggestions approved")
    suggestions, knowledge = stored(api_server, shop)
    assert statuses(suggestions) == ["approved"]
    assert suggestions[0]["knowledgeId"] == knowledge[0]["_id"]
    assert [(e["question"], e["answer"], e["category"]) for e in knowledge] == [
        (GAP_QUESTION, ANSWER, "learned")]


def test_a_missing_thread_or_suggestion_is_not_found(api_server, shop):
    admin = Session(api_server, shop["admin"])
    try:
        for path in (f"/texts/{quote(unique_number())}", "/texts/not-a-number"):
            assert admin.http.get(shop["base"] + path).status_code == 404, path
        missing = admin.http.post(shop["base"] + f"/suggestions/{'0' * 24}/reject",
                                  data={"csrf_token": admin.csrf})
        assert missing.status_code == 404
    finally:
        admin.http.close()
