"""Platform admins manage users over the admin API, and a change ends that user's console
sessions at once: the next request with the old cookie is signed out."""

from __future__ import annotations

from typing import Any

import pytest

from tenancy.users import Role
from tests.user_admin_app import NEW_PASSWORD, PASSWORD, InProcessApp, add_user, change_owner


async def listed(users_app: InProcessApp, query: str = "") -> list[dict[str, Any]]:
    async with users_app.client(users_app.token(Role.PLATFORM_ADMIN)) as admin:
        response = await admin.get("/api/admin/users" + query)
    assert response.status_code == 200, response.text
    return response.json()


async def login(users_app: InProcessApp, email: str, password: str) -> int:
    async with users_app.client() as anonymous:
        answer = await anonymous.post("/api/auth/login",
                                      json={"email": email, "password": password})
    return answer.status_code


async def test_users_are_listed_changed_reset_and_removed(users_app, people):
    company = people["company"]
    assert [u["email"] for u in await listed(users_app)] == [
        "boss@platform.example", "desk@gulfair.example", "owner@gulfair.example"]
    assert await listed(users_app, f"?companyId={company}") == [
        {"email": "desk@gulfair.example", "role": "company_viewer", "companyId": company},
        {"email": "owner@gulfair.example", "role": "company_admin", "companyId": company}]
    async with users_app.client(users_app.token(Role.PLATFORM_ADMIN)) as admin:
        moved = await admin.patch("/api/admin/users/desk@gulfair.example",
                                  json={"role": "company_admin", "companyId": people["other"]})
        assert moved.json() == {"email": "desk@gulfair.example", "role": "company_admin",
                                "companyId": people["other"]}
        reset = await admin.post("/api/admin/users/Owner@GulfAir.example/password",
                                 json={"password": NEW_PASSWORD})
        assert reset.status_code == 200, reset.text
        assert await login(users_app, "owner@gulfair.example", PASSWORD) == 401
        assert await login(users_app, "owner@gulfair.example", NEW_PASSWORD) == 200
        removed = await admin.delete("/api/admin/users/owner@gulfair.example")
        assert removed.json() == {"deleted": True, "email": "owner@gulfair.example"}
    assert await login(users_app, "owner@gulfair.example", NEW_PASSWORD) == 401
    assert await listed(users_app, f"?companyId={people['other']}") == [moved.json()]
    assert await listed(users_app, f"?companyId={company}") == []


async def test_a_demoted_admin_is_signed_out_and_comes_back_a_viewer(users_app, people):
    profile = f"/console/company/{people['company']}/profile"
    owner = await users_app.console("owner@gulfair.example")
    assert (await owner.http.get(profile)).status_code == 200
    async with users_app.client(users_app.token(Role.PLATFORM_ADMIN)) as admin:
        demoted = await admin.patch("/api/admin/users/owner@gulfair.example",
                                    json={"role": "company_viewer"})
    assert demoted.status_code == 200, demoted.text
    before = (await users_app.services.registry.get(people["company"])).companyName
    change = await owner.post(profile, {"companyName": "Changed by a former admin"})
    assert change.status_code == 303 and change.headers["location"].startswith("/console/login")
    assert (await users_app.services.registry.get(people["company"])).companyName == before
    page = await owner.http.get(profile)
    assert page.status_code == 303 and page.headers["location"].startswith("/console/login")
    again = await users_app.console("owner@gulfair.example")
    assert "your account cannot change them" in (await again.http.get(profile)).text
    assert (await again.post(profile, {"companyName": "Viewer edit"})).status_code == 403


@pytest.mark.parametrize("change", ["company", "password", "removal"])
async def test_any_change_signs_the_user_out_everywhere(users_app, people, change):
    sessions = [await users_app.console("owner@gulfair.example") for _ in range(2)]
    bystander = await users_app.console("desk@gulfair.example")
    await change_owner(users_app, people, change)
    for session in sessions:
        home = await session.http.get("/console")
        assert home.headers["location"].startswith("/console/login"), home.headers
    assert (await bystander.http.get("/console")).headers["location"].startswith(
        f"/console/company/{people['company']}")


BAD_CHANGES = [
    ({"role": "platform_admin"}, "a platform admin does not belong to a company"),
    ({"companyId": None}, "needs a companyId"),
    ({"companyId": "not-an-id"}, "companyId"),
    ({"companyId": "e" * 24}, "company " + "e" * 24 + " not found"),
    ({"role": "owner"}, "role"),
    ({}, "give a role"),
    ({"passwordHash": "$2b$04$planted"}, "passwordHash"),
]


@pytest.mark.parametrize("body, says", BAD_CHANGES)
async def test_bad_changes_are_422_and_change_nothing(users_app, people, body, says):
    session = await users_app.console("owner@gulfair.example")
    before = await listed(users_app)
    async with users_app.client(users_app.token(Role.PLATFORM_ADMIN)) as admin:
        answer = await admin.patch("/api/admin/users/owner@gulfair.example", json=body)
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"] == "VALIDATION_ERROR" and says in answer.text
    assert await listed(users_app) == before
    assert (await session.http.get("/console")).status_code == 303  # still signed in
    assert not (await session.http.get("/console")).headers["location"].startswith(
        "/console/login")


async def test_a_new_user_of_an_unknown_company_is_422_as_a_change_to_one_is(
        users_app, people):
    before = await listed(users_app)
    async with users_app.client(users_app.token(Role.PLATFORM_ADMIN)) as admin:
        answer = await admin.post("/api/admin/users", json={
            "email": "new@gulfair.example", "password": NEW_PASSWORD,
            "role": "company_admin", "companyId": "e" * 24})
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"] == "VALIDATION_ERROR"
    assert answer.json()["details"] == [{"field": "companyId", "message": "no such company"}]
    assert await listed(users_app) == before


@pytest.mark.parametrize("password", ["short", "é" * 37, ""])
async def test_bad_passwords_are_422_and_the_old_one_still_works(users_app, people, password):
    async with users_app.client(users_app.token(Role.PLATFORM_ADMIN)) as admin:
        answer = await admin.post("/api/admin/users/owner@gulfair.example/password",
                                  json={"password": password})
    assert answer.status_code == 422 and answer.json()["error"] == "VALIDATION_ERROR"
    assert await login(users_app, "owner@gulfair.example", PASSWORD) == 200


async def test_unknown_users_are_404(users_app, people):
    path = "/api/admin/users/nobody@gulfair.example"
    async with users_app.client(users_app.token(Role.PLATFORM_ADMIN)) as admin:
        answers = [await admin.patch(path, json={"role": "company_admin"}),
                   await admin.patch(path, json={"companyId": "e" * 24}),
                   await admin.post(path + "/password", json={"password": NEW_PASSWORD}),
                   await admin.delete(path)]
        bad_filter = await admin.get("/api/admin/users?companyId=nope")
    for answer in answers:
        assert answer.status_code == 404, answer.text
        assert answer.json() == {"error": "NOT_FOUND",
                                 "message": "user nobody@gulfair.example not found"}
    assert bad_filter.status_code == 422


async def test_the_last_platform_admin_can_be_neither_demoted_nor_removed(users_app, people):
    boss = await users_app.console("boss@platform.example")
    path = "/api/admin/users/boss@platform.example"
    token = users_app.token(Role.PLATFORM_ADMIN, sub="boss@platform.example")
    async with users_app.client(token) as me:
        for answer in (await me.delete(path),
                       await me.patch(path, json={"role": "company_admin",
                                                  "companyId": people["company"]})):
            assert answer.status_code == 409, answer.text
            assert "last platform admin" in answer.json()["message"]
        assert (await boss.http.get("/console/companies")).status_code == 200
        await add_user(me, "deputy@platform.example", Role.PLATFORM_ADMIN)
        stepped_down = await me.patch(path, json={"role": "company_admin",
                                                  "companyId": people["company"]})
        assert stepped_down.status_code == 200, stepped_down.text
        assert (await me.delete("/api/admin/users/deputy@platform.example")).status_code == 409
    assert (await boss.http.get("/console/companies")).headers["location"].startswith(
        "/console/login")
