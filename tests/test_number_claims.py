"""Phone numbers go to the company whose Twilio account owns them, and calls follow.

Over HTTP to the session Serve app, whose Twilio number directory is the offline double:
`TENANT_TWILIO_ACCOUNT` owns `TENANT_OWNED_NUMBERS`, and nothing else is owned by anyone.
"""

from __future__ import annotations

import secrets

import pytest
from twilio.request_validator import RequestValidator

from tenancy.users import Role
from tests.serve_fixtures import (
    PLATFORM_TWILIO_TOKEN,
    TENANT_OWNED_NUMBERS,
    TENANT_TWILIO_ACCOUNT,
    new_company_body,
    unique_number,
)

pytestmark = pytest.mark.ray


def create(admin, body: dict) -> dict:  # noqa: ANN001
    created = admin.post("/api/company", json=body)
    assert created.status_code == 201, created.text
    return created.json()


@pytest.fixture
def tenant(api_server, admin):
    """A company on its own Twilio account, and a client holding its admin's token."""
    body = new_company_body("Own Account HVAC")
    body["twilioConfig"]["accountSid"] = TENANT_TWILIO_ACCOUNT
    company = create(admin, body)
    with api_server.client(api_server.token(Role.COMPANY_ADMIN, company["_id"])) as owner:
        yield company, owner
    admin.delete(f"/api/company/{company['_id']}")  # releases the numbers for the next test


def owner_of(admin, number: str) -> list[str]:  # noqa: ANN001
    return [c["_id"] for c in admin.get("/api/admin/companies").json()
            if c["isActive"] and number in [n["phoneNumber"]
                                            for n in c["twilioConfig"]["phoneNumbers"]]]


def test_a_company_admin_claims_only_numbers_its_twilio_account_owns(admin, tenant):
    company, owner = tenant
    base = f"/api/company/{company['_id']}"
    owned, foreign = TENANT_OWNED_NUMBERS[0], unique_number()
    assert owner.post(f"{base}/phone-numbers", json={"phoneNumber": owned}).status_code == 201
    refused = owner.post(f"{base}/phone-numbers", json={"phoneNumber": foreign})
    assert refused.status_code == 403 and refused.json()["error"] == "NUMBER_NOT_IN_ACCOUNT"
    by_patch = owner.patch(base, json={"twilioConfig": {"phoneNumbers": [
        {"phoneNumber": owned}, {"phoneNumber": foreign}]}})
    assert by_patch.status_code == 403, by_patch.text
    assert owner_of(admin, owned) == [company["_id"]] and owner_of(admin, foreign) == []


def test_without_its_own_twilio_account_only_a_platform_admin_adds_numbers(api_server, admin):
    company = create(admin, new_company_body("Platform Account Plumbing"))
    base = f"/api/company/{company['_id']}"
    number = TENANT_OWNED_NUMBERS[1]
    with api_server.client(api_server.token(Role.COMPANY_ADMIN, company["_id"])) as owner:
        refused = owner.post(f"{base}/phone-numbers", json={"phoneNumber": number})
    assert refused.status_code == 403 and refused.json()["error"] == "CLAIM_NEEDS_PLATFORM_ADMIN"
    assert owner_of(admin, number) == []
    assert admin.post(f"{base}/phone-numbers", json={"phoneNumber": number}).status_code == 201
    assert owner_of(admin, number) == [company["_id"]]
    admin.delete(base)


def signed_post(api_server, path: str, params: dict[str, str], token: str):  # noqa: ANN001,ANN201
    public = api_server.settings["public_base_url"] + path  # what Twilio signs
    signature = RequestValidator(token).compute_signature(public, params)
    with api_server.client() as twilio:
        return twilio.post(api_server.base_url + path, data=params,
                           headers={"X-Twilio-Signature": signature})


def test_webhooks_from_another_twilio_account_are_refused(api_server, admin):
    body = new_company_body("Own Account Electric", numbers=(TENANT_OWNED_NUMBERS[2],))
    body["twilioConfig"]["accountSid"] = TENANT_TWILIO_ACCOUNT
    company = create(admin, body)
    token = body["twilioConfig"]["authToken"]
    call = {"CallSid": "CA" + secrets.token_hex(16), "From": unique_number(),
            "To": TENANT_OWNED_NUMBERS[2], "CallStatus": "completed", "CallDuration": "3"}
    other_account = {**call, "AccountSid": "AC" + secrets.token_hex(16)}
    for path in ("/api/twilio/voice", f"/api/twilio/status/{company['_id']}"):
        refused = signed_post(api_server, path, other_account, token)
        assert refused.status_code == 403, refused.text
        assert refused.json()["error"] == "ACCOUNT_MISMATCH"
    own_account = {**call, "AccountSid": TENANT_TWILIO_ACCOUNT}
    status = signed_post(api_server, f"/api/twilio/status/{company['_id']}", own_account, token)
    assert status.status_code == 200, status.text
    admin.delete(f"/api/company/{company['_id']}")


def test_inactive_numbers_do_not_route(api_server, admin):
    number = TENANT_OWNED_NUMBERS[3]
    body = new_company_body("Seasonal Line HVAC")
    body["twilioConfig"]["phoneNumbers"] = [{"phoneNumber": number, "status": "inactive"}]
    company = create(admin, body)
    call = {"CallSid": "CA" + secrets.token_hex(16), "AccountSid": "AC" + "3" * 32,
            "From": unique_number(), "To": number}
    answer = signed_post(api_server, "/api/twilio/voice", call, PLATFORM_TWILIO_TOKEN)
    assert answer.status_code == 200 and "not in service" in answer.text
    assert "Seasonal Line" not in answer.text
    admin.delete(f"/api/company/{company['_id']}")
