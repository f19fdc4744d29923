"""Every Twilio webhook, taken from the route table, refuses what Twilio did not sign.

The Twilio routes authenticate by `X-Twilio-Signature` keyed by the company's own auth
token (the platform's when it has none): unsigned, wrongly signed, or signed with another
company's token is 403, and nothing of the company leaks.
"""

from __future__ import annotations

import pytest
from twilio.request_validator import RequestValidator

from runtime.serve.app import create_api
from tests.serve_fixtures import PLATFORM_TWILIO_TOKEN, new_company_body, unique_number
from tests.test_api_cross_tenant import api_routes

pytestmark = pytest.mark.ray


def twilio_posts() -> list[str]:
    paths = sorted(r.path for r in api_routes(create_api().routes)
                   if r.path.startswith("/api/twilio/") and "POST" in r.methods)
    assert "/api/twilio/voice" in paths and "/api/twilio/calls/{company_id}/turn" in paths
    return paths


@pytest.fixture(scope="module")
def target(api_server):
    number = unique_number()
    with api_server.client(api_server.admin_token) as admin:
        company = admin.post("/api/company", json=new_company_body("Signed HVAC",
                                                                   numbers=(number,))).json()
    return {"company": company, "number": number}


def form(target: dict) -> dict[str, str]:
    return {"CallSid": "CA" + "2" * 32, "AccountSid": "AC" + "3" * 32, "From": unique_number(),
            "To": target["number"], "CallStatus": "ringing", "SpeechResult": "hello"}


@pytest.mark.parametrize("path", twilio_posts())
@pytest.mark.parametrize("signer", ["nobody", "garbage", "platform", "another-company"])
def test_unsigned_or_wrongly_signed_webhooks_are_403(api_server, target, path, signer):
    company_id = target["company"]["_id"]
    url = api_server.base_url + path.replace("{company_id}", company_id)
    params = form(target)
    tokens = {"platform": PLATFORM_TWILIO_TOKEN, "another-company": "another-company-token-00"}
    headers = {}
    if signer == "garbage":
        headers["X-Twilio-Signature"] = "bm90IGEgc2lnbmF0dXJl"
    elif signer in tokens:
        headers["X-Twilio-Signature"] = RequestValidator(tokens[signer]).compute_signature(
            url, params)
    with api_server.client() as client:
        response = client.post(url, data=params, headers=headers)
    assert response.status_code == 403, (signer, response.text)
    assert response.json()["error"] == "INVALID_SIGNATURE"
    assert "Signed HVAC" not in response.text and company_id not in response.text
