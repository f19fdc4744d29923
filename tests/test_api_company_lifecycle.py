"""Deactivating and reactivating a company, and PATCH bodies no real change looks like."""

from __future__ import annotations

import json

import pytest

from runtime.serve.json_body import MAX_JSON_DEPTH
from tenancy.users import Role
from tests.serve_fixtures import new_company_body, unique_number

pytestmark = pytest.mark.ray


@pytest.fixture
def company(admin):
    created = admin.post("/api/company", json=new_company_body(
        "Lifecycle HVAC", numbers=(unique_number(),)))
    assert created.status_code == 201, created.text
    return created.json()


def test_a_company_admin_must_confirm_deactivation(api_server, admin, company):
    path = f"/api/company/{company['_id']}"
    with api_server.client(api_server.token(Role.COMPANY_ADMIN, company["_id"])) as owner:
        refused = owner.delete(path)
        assert refused.status_code == 400 and refused.json()["error"] == "CONFIRMATION_REQUIRED"
        assert owner.delete(path, params={"confirm": "b" * 24}).status_code == 400
        assert owner.get(path).status_code == 200  # still active
        done = owner.delete(path, params={"confirm": company["_id"]})
        assert done.status_code == 200 and done.json()["isActive"] is False
        assert owner.get(path).status_code == 404


def test_a_platform_admin_reactivates_and_the_numbers_come_back(api_server, admin, company):
    number = company["twilioConfig"]["phoneNumbers"][0]["phoneNumber"]
    assert admin.delete(f"/api/company/{company['_id']}").status_code == 200
    reactivate = f"/api/admin/companies/{company['_id']}/reactivate"
    with api_server.client(api_server.token(Role.COMPANY_ADMIN, company["_id"])) as owner:
        assert owner.post(reactivate).status_code == 403
    revived = admin.post(reactivate)
    assert revived.status_code == 200 and revived.json()["isActive"] is True
    assert admin.get(f"/api/company/{company['_id']}").status_code == 200
    taken = admin.post("/api/company", json=new_company_body("Number Thief", numbers=(number,)))
    assert taken.status_code == 409  # the number is the company's again
    assert admin.post("/api/admin/companies/not-an-id/reactivate").status_code == 400
    assert admin.post(f"/api/admin/companies/{'c' * 24}/reactivate").status_code == 404


def test_reactivation_refuses_when_a_number_was_claimed_meanwhile(admin, company):
    number = company["twilioConfig"]["phoneNumbers"][0]["phoneNumber"]
    admin.delete(f"/api/company/{company['_id']}")
    other = admin.post("/api/company", json=new_company_body("New Owner", numbers=(number,)))
    assert other.status_code == 201
    refused = admin.post(f"/api/admin/companies/{company['_id']}/reactivate")
    assert refused.status_code == 409 and number in refused.json()["message"]
    assert admin.get(f"/api/company/{company['_id']}").status_code == 404  # still inactive
    admin.delete(f"/api/company/{other.json()['_id']}")


@pytest.mark.parametrize("route", ["", "/ai-settings"])
@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 600, 5000])
def test_deeply_nested_patches_are_422_and_change_nothing(admin, company, route, depth):
    path = f"/api/company/{company['_id']}"
    body = '{"description": "nested", "x": ' + '{"a": ' * depth + '1' + '}' * depth + '}'
    response = admin.patch(path + route, content=body,
                           headers={"Content-Type": "application/json"})
    assert response.status_code in (400, 422), response.text
    assert response.json()["error"] in ("VALIDATION_ERROR", "BAD_REQUEST")
    if depth < 1000:  # deeper still, the JSON parser itself refuses it (400)
        assert "nested more than" in response.text
    assert admin.get(path).json()["description"] == company["description"]


def test_a_patch_of_ordinary_depth_still_works(admin, company):
    change = {"aiSettings": {"elevenLabs": {"stability": 0.3}}}
    response = admin.patch(f"/api/company/{company['_id']}", content=json.dumps(change),
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 200
    assert response.json()["aiSettings"]["elevenLabs"]["stability"] == 0.3
