"""Per-tenant rate limits: a company's runaway client is slowed down, nobody else is.

The shared Redis counter is tested in test_rate_limit.py; here the app's limits, through an
in-process app with small budgets whose call actors are stood in for by a gateway that
greets every call (no Ray).
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator

import httpx
import pytest
from twilio.request_validator import RequestValidator

from runtime.actors.messages import AgentReply, CallSetup, Utterance
from runtime.serve.app import create_api
from runtime.serve.services import Services
from runtime.settings import Settings
from tenancy.users import Role
from tests.serve_fixtures import PUBLIC_BASE_URL, new_company_body, unique_number

A, B = "a" * 24, "b" * 24
API_LIMIT, NEW_CALL_LIMIT = 4, 3


class AnsweringGateway:
    """Stands in for the call actors: every call it is handed is greeted."""

    async def start_call(self, setup: CallSetup, forward_to: str | None = None) -> AgentReply:
        return AgentReply(call_sid=setup.call_sid, utterances=(Utterance("Hello!"),),
                          action={"type": "Listen"})


@pytest.fixture
async def app(redis_url: str, tmp_path) -> AsyncIterator[tuple[httpx.AsyncClient, Services]]:
    settings = Settings(redis_url=redis_url, jwt_secret="rate-limit-jwt-secret-0123456789abcdef",
                        clientsvia_secret_key="rate-limit-secret-key-0123456789",
                        public_base_url=PUBLIC_BASE_URL, provider_mode="doubles",
                        parquet_root=str(tmp_path), bcrypt_rounds=4,
                        api_rate_per_minute=API_LIMIT, new_call_rate_per_minute=NEW_CALL_LIMIT)
    services = Services.from_settings(settings)
    services._calls = AnsweringGateway()  # type: ignore[assignment]
    transport = httpx.ASGITransport(app=create_api(services))
    async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_BASE_URL) as client:
        yield client, services
    await services.close()


def bearer(services: Services, role: Role, company_id: str | None = None) -> dict[str, str]:
    token = services.tokens.mint("rate@test", role, company_id)
    return {"Authorization": f"Bearer {token}"}


async def new_company(client: httpx.AsyncClient, services: Services) -> tuple[dict, dict]:
    body = new_company_body("Busy HVAC", numbers=(unique_number(),))
    response = await client.post("/api/company", json=body,
                                 headers=bearer(services, Role.PLATFORM_ADMIN))
    assert response.status_code == 201, response.text
    return response.json(), body


async def test_the_api_answers_429_past_a_company_budget_and_only_for_that_company(app):
    client, services = app
    (busy, _), (calm, _) = [await new_company(client, services) for _ in range(2)]
    intruder = bearer(services, Role.COMPANY_ADMIN, calm["_id"])
    for _ in range(2 * API_LIMIT):  # refused callers do not spend the company's budget
        response = await client.get(f"/api/company/{busy['_id']}", headers=intruder)
        assert response.status_code == 403
    owner = bearer(services, Role.COMPANY_ADMIN, busy["_id"])
    statuses = [(await client.get(f"/api/company/{busy['_id']}/knowledge", headers=owner))
                for _ in range(API_LIMIT + 1)]
    assert [r.status_code for r in statuses] == [200] * API_LIMIT + [429]
    assert statuses[-1].json()["error"] == "RATE_LIMITED"
    calm_owner = bearer(services, Role.COMPANY_ADMIN, calm["_id"])
    assert (await client.get(f"/api/company/{calm['_id']}", headers=calm_owner)).is_success


def signed(body: dict, path: str, form: dict[str, str]) -> dict[str, str]:
    signature = RequestValidator(body["twilioConfig"]["authToken"]).compute_signature(
        PUBLIC_BASE_URL + path, form)
    return {"X-Twilio-Signature": signature}


async def test_new_calls_past_a_company_budget_are_refused_politely_and_live_calls_never(app):
    client, services = app
    (busy, busy_body), (calm, calm_body) = [await new_company(client, services)
                                            for _ in range(2)]

    async def incoming(company: dict, body: dict) -> httpx.Response:
        path = f"/api/twilio/webhook/{company['_id']}"
        form = {"CallSid": "CA" + secrets.token_hex(16), "CallStatus": "ringing",
                "From": unique_number(), "To": body["twilioConfig"]["phoneNumbers"][0][
                    "phoneNumber"]}
        return await client.post(path, data=form, headers=signed(body, path, form))

    answers = [await incoming(busy, busy_body) for _ in range(NEW_CALL_LIMIT + 1)]
    assert all(r.status_code == 200 for r in answers)  # Twilio never plays its error
    assert ["<Gather" in r.text for r in answers] == [True] * NEW_CALL_LIMIT + [False]
    assert "lines are busy" in answers[-1].text and "<Hangup" in answers[-1].text
    assert "<Gather" in (await incoming(calm, calm_body)).text  # others keep their budget

    path = f"/api/twilio/status/{busy['_id']}"
    form = {"CallSid": "CA" + "4" * 32, "CallStatus": "in-progress"}
    for _ in range(3 * NEW_CALL_LIMIT):  # a live call's callbacks are never limited
        response = await client.post(path, data=form, headers=signed(busy_body, path, form))
        assert response.status_code == 200, response.text
