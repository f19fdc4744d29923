"""A platform admin manages users from the console: the same rules and effects as the API
(a change signs the user out everywhere, bad input changes nothing, one platform admin
stays), through forms with the session's CSRF token."""

from __future__ import annotations

from typing import Any

import pytest

from tenancy.users import Role
from tests.serve_fixtures import new_company_body
from tests.test_api_users import listed
from tests.user_admin_app import InProcessApp, add_user

OWNER = "/console/users/owner%40gulfair.example"


@pytest.fixture
async def people(users_app: InProcessApp) -> dict[str, Any]:
    async with users_app.client(users_app.token(Role.PLATFORM_ADMIN)) as admin:
        company = (await admin.post("/api/company", json=new_company_body("Gulf Air"))).json()
        await add_user(admin, "boss@platform.example", Role.PLATFORM_ADMIN)
        await add_user(admin, "owner@gulfair.example", Role.COMPANY_ADMIN, company["_id"])
    return {"company": company["_id"],
            "boss": await users_app.console("boss@platform.example"),
            "owner": await users_app.console("owner@gulfair.example")}


async def signed_out(session) -> bool:
    home = await session.http.get("/console")
    return home.headers["location"].startswith("/console/login")


async def test_the_companies_page_lists_users_and_each_has_its_page(users_app, people):
    companies = (await people["boss"].http.get("/console/companies")).text
    assert f'href="{OWNER}"' in companies and "company admin" in companies
    page = await people["boss"].http.get(OWNER)
    assert page.status_code == 200
    for action in (OWNER, OWNER + "/password", OWNER + "/delete"):
        assert f'action="{action}"' in page.text
    assert page.text.count(f'value="{people["boss"].csrf}"') >= 4  # each form and sign-out


async def test_a_change_from_the_console_signs_the_user_out(users_app, people):
    changed = await people["boss"].post(OWNER, {"role": "company_viewer",
                                                "companyId": people["company"]})
    assert changed.status_code == 303, changed.text
    assert changed.headers["location"] == "/console/companies?notice=user-changed"
    assert await signed_out(people["owner"])
    [owner] = [u for u in await listed(users_app) if u["email"] == "owner@gulfair.example"]
    assert owner["role"] == "company_viewer"


async def test_saving_the_same_role_and_company_keeps_the_sessions(users_app, people):
    same = await people["boss"].post(OWNER, {"role": "company_admin",
                                             "companyId": people["company"]})
    assert same.status_code == 303
    assert not await signed_out(people["owner"])


@pytest.mark.parametrize("form, says", [
    ({"role": "company_viewer", "companyId": ""}, "needs a companyId"),
    ({"role": "platform_admin", "companyId": "x"}, "String should match pattern"),
    ({"role": "owner", "companyId": ""}, "Input should be"),
])
async def test_a_bad_change_is_422_on_the_page_and_changes_nothing(users_app, people, form,
                                                                   says):
    before = await listed(users_app)
    answer = await people["boss"].post(OWNER, form)
    assert answer.status_code == 422 and says in answer.text
    assert await listed(users_app) == before
    assert not await signed_out(people["owner"])


async def test_no_csrf_token_no_change(users_app, people):
    before = await listed(users_app)
    for path, form in ((OWNER, {"role": "company_viewer", "companyId": people["company"]}),
                       (OWNER + "/password", {"password": "another-pass-0002"}),
                       (OWNER + "/delete", {})):
        answer = await people["boss"].http.post(path, data=form)
        assert answer.status_code == 403 and "security token" in answer.text
    assert await listed(users_app) == before
    assert not await signed_out(people["owner"])


async def test_a_new_password_from_the_console_ends_the_old_sessions(users_app, people):
    short = await people["boss"].post(OWNER + "/password", {"password": "short"})
    assert short.status_code == 422 and "at least 10 characters" in short.text
    assert not await signed_out(people["owner"])
    reset = await people["boss"].post(OWNER + "/password", {"password": "another-pass-0002"})
    assert reset.headers["location"] == "/console/companies?notice=password-reset"
    assert await signed_out(people["owner"])
    await users_app.console("owner@gulfair.example", "another-pass-0002")


async def test_removal_signs_out_and_the_last_platform_admin_stays(users_app, people):
    removed = await people["boss"].post(OWNER + "/delete")
    assert removed.headers["location"] == "/console/companies?notice=user-removed"
    assert await signed_out(people["owner"])
    assert (await people["boss"].http.get(OWNER)).status_code == 404
    last = await people["boss"].post("/console/users/boss%40platform.example/delete")
    assert last.status_code == 409 and "last platform admin" in last.text
    assert not await signed_out(people["boss"])


async def test_company_users_cannot_open_user_pages(users_app, people):
    assert (await people["owner"].http.get(OWNER)).status_code == 403
    answer = await people["owner"].post("/console/users/boss%40platform.example/delete")
    assert answer.status_code == 403
    assert [u["email"] for u in await listed(users_app)] == [
        "boss@platform.example", "owner@gulfair.example"]


async def test_a_platform_admins_pages_offer_every_company_to_switch_to(users_app, people):
    page = (await people["boss"].http.get(OWNER)).text
    switcher = page.split('action="/console/switch"', 1)[1].split("</form>", 1)[0]
    assert f'<option value="{people["company"]}">Gulf Air</option>' in switcher
    owners_page = await people["owner"].http.get("/console", follow_redirects=True)
    assert owners_page.status_code == 200 and "Gulf Air" in owners_page.text
    assert 'action="/console/switch"' not in owners_page.text  # a company's users: no switcher
