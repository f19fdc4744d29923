"""The settings pages in a real browser: every page looks right and passes axe, an hours
change reaches the agent's calls, knowledge is added and tried, a viewer cannot save."""

from __future__ import annotations

import re

import pytest
import ray
from playwright.async_api import Page, expect

from runtime.actors.pool import ensure_pool
from runtime.settings import Settings
from tenancy.users import Role
from tests.call_events import keeping_call_events
from tests.console.browser import check_page, sign_in
from tests.console.conftest import new_user
from tests.console.http_session import Session
from tests.test_calls_e2e import call, session_turns
from tests.twilio_webhooks import company as company_on_its_number

pytestmark = pytest.mark.ray

WEEK = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


async def test_every_company_page_renders_accessibly_at_both_widths(page: Page, tenant):
    """Walks the nav, so a page a later change registers is checked here too."""
    await sign_in(page, tenant["admin"]["email"], tenant["admin"]["password"])
    links = page.get_by_role("navigation", name="Company pages").get_by_role("link")
    hrefs = [await link.get_attribute("href") for link in await links.all()]
    assert len(hrefs) >= 8
    for href in hrefs:
        response = await page.goto(href)
        assert response is not None and response.status == 200, href
        await expect(page.locator(f'nav a[href="{href}"]')).to_have_attribute(
            "aria-current", "page")
        await check_page(page, "company-" + href.rsplit("/", 1)[-1])


async def greeting_of(api_server, company: dict) -> str:
    record = await call(api_server, company, "That's all, thanks. Bye!")
    assert record.ok, record.errors
    turns = await session_turns(api_server, record.call_sid)
    return next(turn for turn in turns if not turn.caller_text).agent_text


async def test_closing_every_day_gives_the_console_after_hours_greeting_on_a_call(
        page: Page, api_server):
    with api_server.client(api_server.admin_token) as admin:
        company = company_on_its_number(admin, "Evening Heat")  # open around the clock
        owner = new_user(admin, Role.COMPANY_ADMIN, company["_id"])
    assert ray.get(ensure_pool(Settings(**api_server.settings)).wait_warm.remote(300))
    closed_words = "Evening Heat is closed for the night, leave us a message"
    with keeping_call_events(api_server.settings["redis_url"], group="console-hours"):
        assert closed_words not in await greeting_of(api_server, company)

        await sign_in(page, owner["email"], owner["password"])
        await page.goto(f"/console/company/{company['_id']}/hours")
        for day in WEEK:
            await page.get_by_label(f"{day.capitalize()} open", exact=True).uncheck()
        await page.get_by_label("Greeting after hours").fill(closed_words)
        await page.get_by_role("button", name="Save hours").click()
        await expect(page.get_by_role("status")).to_have_text("Saved.")
        await expect(page.get_by_label("Monday open", exact=True)).not_to_be_checked()

        # Calls see a company edit within the webhook cache's TTL: call until they do.
        for _ in range(20):
            if closed_words in await greeting_of(api_server, company):
                break
        else:
            pytest.fail("calls never heard the after-hours greeting set in the console")


async def test_bad_hours_are_shown_next_to_the_field_and_nothing_is_saved(page: Page, tenant,
                                                                          api_server):
    await sign_in(page, tenant["admin"]["email"], tenant["admin"]["password"])
    await page.goto(tenant["base"] + "/hours")
    await page.get_by_label("Tuesday open", exact=True).check()
    await page.get_by_label("Tuesday opens").fill("18:00")
    await page.get_by_label("Tuesday closes").fill("08:00")
    await page.get_by_label("Greeting after hours").fill("Half-saved greeting?")
    await page.get_by_role("button", name="Save hours").click()
    error = page.locator("#f-agentSetup-operatingHours-1-start-error")
    await expect(error).to_contain_text("start 18:00 must be before end 08:00")
    await expect(page.get_by_label("Tuesday opens")).to_have_attribute("aria-invalid", "true")
    await check_page(page, "hours-with-error")
    with api_server.client(api_server.admin_token) as admin:
        stored = admin.get(f"/api/company/{tenant['company']['_id']}").json()
    assert stored["agentSetup"]["afterHoursGreeting"] != "Half-saved greeting?"


async def test_a_knowledge_entry_is_added_and_a_question_tried(page: Page, tenant):
    await sign_in(page, tenant["admin"]["email"], tenant["admin"]["password"])
    await page.goto(tenant["base"] + "/knowledge")
    await page.get_by_label("Question", exact=True).fill("Do you clean dryer vents?")
    await page.get_by_label("Answer", exact=True).fill(
        "Yes, dryer vent cleaning is $99 for most homes.")
    await page.get_by_label("Keywords").fill("dryer vent\nlint")
    await page.get_by_role("button", name="Add entry").click()
    await expect(page.get_by_role("status")).to_have_text("Added.")
    await expect(page.get_by_role("cell", name="Do you clean dryer vents?", exact=True)
                 ).to_be_visible()

    await page.get_by_label("Question a caller might ask").fill("can you clean my dryer vent")
    await page.get_by_role("button", name="Try it").click()
    await expect(page.locator('[data-test="tier"]')).to_have_text("knowledge")
    await expect(page.locator('[data-test="entry"]')).to_contain_text("Do you clean dryer vents?")
    await expect(page.locator('[data-test="reply"]')).to_contain_text("$99")
    await check_page(page, "knowledge-tried")

    await page.get_by_role("link", name="Edit Do you clean dryer vents?").click()
    await page.get_by_label("Active (the agent may answer with it)").uncheck()
    await page.get_by_role("button", name="Save entry").click()
    await expect(page.get_by_role("status")).to_have_text("Saved.")
    await page.get_by_label("Question a caller might ask").fill("can you clean my dryer vent")
    await page.get_by_role("button", name="Try it").click()  # disabled: no longer the answer
    await expect(page.locator('[data-test="reply"]')).not_to_contain_text("$99")


async def test_a_viewer_sees_the_settings_but_has_nothing_to_save_with(page: Page, tenant):
    await sign_in(page, tenant["viewer"]["email"], tenant["viewer"]["password"])
    for segment in ("profile", "hours", "ai", "voice", "knowledge", "employees"):
        await page.goto(f"{tenant['base']}/{segment}")
        await expect(page.locator(".readonly-note")).to_be_visible()
        assert await page.locator("main button[type=submit]").count() == 0, segment
    await page.goto(tenant["base"] + "/profile")
    await expect(page.get_by_label("Company name")).to_be_disabled()
    await check_page(page, "profile-viewer")
    # A form forged in the page (the token is the viewer's own) is still refused.
    status = await page.evaluate("""async () => {
        const body = new URLSearchParams({csrf_token:
            document.querySelector('input[name=csrf_token]').value, companyName: 'Viewer Co'});
        return (await fetch(location.pathname, {method: 'POST', body})).status; }""")
    assert status == 403


async def test_the_platform_admin_lists_creates_and_opens_companies(page: Page, tenant):
    await sign_in(page, tenant["platform"]["email"], tenant["platform"]["password"])
    assert page.url.endswith("/console/companies")
    row = page.get_by_role("row").filter(has_text=tenant["company"]["companyName"])
    await expect(row.get_by_text("Live")).to_be_visible()
    await check_page(page, "companies")

    await page.get_by_label("Company name").fill("Fresh Start Plumbing")
    await page.get_by_label("Plumbing").check()
    await page.get_by_role("button", name="Create company").click()
    await expect(page.get_by_role("status")).to_have_text("Company created.")
    await expect(page.get_by_label("Company name")).to_have_value("Fresh Start Plumbing")
    fresh_id = page.url.split("/company/")[1].split("/")[0]

    await page.goto("/console/companies")
    await page.get_by_label("Email").fill("office@fresh-start.test")
    await page.get_by_label("Password").fill("short")
    await page.get_by_label("Role").select_option("company_admin")
    await page.get_by_label("Company (not for platform admins)").select_option(fresh_id)
    await page.get_by_role("button", name="Create user").click()
    await expect(page.locator("#f-password-error")).to_contain_text("at least 10 characters")
    await page.get_by_label("Password").fill("a-long-enough-password")
    await page.get_by_role("button", name="Create user").click()
    await expect(page.get_by_role("status")).to_have_text("User created.")

    await page.get_by_label("Open company").select_option(tenant["company"]["_id"])
    await page.get_by_role("button", name="Open", exact=True).click()
    await expect(page.get_by_label("Company name")).to_have_value(
        tenant["company"]["companyName"])


def test_a_voice_sample_is_made_and_playable_from_the_voice_page(api_server, tenant):
    owner = Session(api_server, tenant["admin"])
    page = owner.http.post(tenant["base"] + "/voice/sample",
                           data={"csrf_token": owner.csrf, "sample_text": "Hello from Naples"})
    assert page.status_code == 200 and "Hello from Naples" in page.text
    audio = re.search(r'<audio[^>]* src="(/api/twilio/audio/[^"]+\.wav)"', page.text)
    assert audio, page.text
    wav = owner.http.get(audio.group(1))
    assert wav.status_code == 200 and wav.content[:4] == b"RIFF"
    assert "el-key-" not in page.text and "••••" in page.text  # the key only as its mask
