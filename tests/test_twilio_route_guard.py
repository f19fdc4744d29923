"""Every Twilio webhook, taken from the route table, accepts what Twilio signed and
refuses everything else.

The Twilio routes authenticate by `X-Twilio-Signature` over the public URL
(PUBLIC_BASE_URL, which in these fixtures is not the address the tests connect to),
keyed by the company's own auth token (the platform's when it has none). A request
signed that way is accepted on every route; unsigned, wrongly signed, signed with
another token, or signed over the URL the request really reached (Host header) is 403,
and nothing of the company leaks.
"""

from __future__ import annotations

import secrets

import httpx
import pytest
from fastapi.routing import APIRoute
from twilio.request_validator import RequestValidator

from runtime.serve.app import create_api
from tests.serve_fixtures import PLATFORM_TWILIO_TOKEN, new_company_body, unique_number
from tests.test_api_cross_tenant import api_routes

pytestmark = pytest.mark.ray


def twilio_posts() -> list[str]:
    paths = sorted(r.path for r in api_routes(create_api().routes)
                   if isinstance(r, APIRoute) and r.path.startswith("/api/twilio/")
                   and "POST" in r.methods)
    assert "/api/twilio/voice" in paths and "/api/twilio/calls/{company_id}/turn" in paths
    return paths


TWILIO_POSTS = twilio_posts()


def make_company(api_server, name: str, own_token: bool) -> dict:
    number = unique_number()
    body = new_company_body(name, numbers=(number,))
    if not own_token:
        del body["twilioConfig"]["authToken"]
    with api_server.client(api_server.admin_token) as admin:
        company = admin.post("/api/company", json=body).json()
    return {"company": company, "number": number,
            "token": body["twilioConfig"].get("authToken", PLATFORM_TWILIO_TOKEN)}


@pytest.fixture(scope="module")
def target(api_server):
    """A company with its own Twilio auth token."""
    return make_company(api_server, "Signed HVAC", own_token=True)


@pytest.fixture(scope="module")
def tokenless(api_server):
    """A company without one: its webhooks are signed with the platform token."""
    return make_company(api_server, "Platform Signed Plumbing", own_token=False)


def form(target: dict, call_sid: str = "CA" + "2" * 32) -> dict[str, str]:
    return {"CallSid": call_sid, "AccountSid": "AC" + "3" * 32, "From": unique_number(),
            "To": target["number"], "CallStatus": "ringing", "SpeechResult": "hello",
            "MessageSid": "SM" + "5" * 32, "MessageStatus": "delivered"}


def public_url(api_server, path: str, company_id: str) -> str:
    return api_server.settings["public_base_url"] + path.replace("{company_id}", company_id)


def post(api_server, path: str, target: dict, params: dict, signature: str | None):
    """POST to the server's real address; the signature was made for whatever URL the
    caller chose (normally the public one)."""
    url = api_server.base_url + path.replace("{company_id}", target["company"]["_id"])
    headers = {"X-Twilio-Signature": signature} if signature else {}
    with httpx.Client(timeout=30) as client:
        return client.post(url, data=params, headers=headers)


def sign(token: str, url: str, params: dict) -> str:
    return RequestValidator(token).compute_signature(url, params)


@pytest.mark.parametrize("path", TWILIO_POSTS)
@pytest.mark.parametrize("who", ["own-token", "platform-token"])
def test_a_correctly_signed_webhook_is_accepted(api_server, target, tokenless, path, who):
    company = target if who == "own-token" else tokenless
    params = form(company, call_sid="CA" + secrets.token_hex(16))
    url = public_url(api_server, path, company["company"]["_id"])
    try:
        response = post(api_server, path, company, params, sign(company["token"], url, params))
        assert response.is_success, response.text
        if response.status_code != 204:  # a delivery-status callback answers with no body
            assert response.headers["content-type"].startswith("application/xml")
            assert "<Response" in response.text
    finally:  # release the call actor an incoming-call webhook may have claimed
        end = {**params, "CallStatus": "completed", "CallDuration": "1"}
        status_path = "/api/twilio/status/{company_id}"
        status_url = public_url(api_server, status_path, company["company"]["_id"])
        post(api_server, status_path, company, end, sign(company["token"], status_url, end))


@pytest.mark.parametrize("path", TWILIO_POSTS)
@pytest.mark.parametrize("signer", ["nobody", "garbage", "platform", "another-company",
                                    "own-token-over-host-url"])
def test_unsigned_or_wrongly_signed_webhooks_are_403(api_server, target, path, signer):
    company_id = target["company"]["_id"]
    url = public_url(api_server, path, company_id)
    params = form(target)
    tokens = {"platform": PLATFORM_TWILIO_TOKEN, "another-company": "another-company-token-00"}
    signature = None
    if signer == "garbage":
        signature = "bm90IGEgc2lnbmF0dXJl"
    elif signer in tokens:
        signature = sign(tokens[signer], url, params)
    elif signer == "own-token-over-host-url":  # right key, but over the Host-header URL
        host_url = api_server.base_url + path.replace("{company_id}", company_id)
        signature = sign(target["token"], host_url, params)
    response = post(api_server, path, target, params, signature)
    assert response.status_code == 403, (signer, response.text)
    assert response.json()["error"] == "INVALID_SIGNATURE"
    assert "Signed HVAC" not in response.text and company_id not in response.text
