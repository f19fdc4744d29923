"""Per-tenant rate limits: a company's runaway client is slowed down, nobody else is.

The limiter is checked with a fixed clock; the app's limits through an in-process app
(no Ray: neither route used here reaches a call actor) with small budgets.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from twilio.request_validator import RequestValidator

from runtime.serve.app import create_api
from runtime.serve.errors import ApiError
from runtime.serve.rate_limit import TenantRateLimiter
from runtime.serve.services import Services
from runtime.settings import Settings
from tenancy.users import Role
from tests.serve_fixtures import PUBLIC_BASE_URL, new_company_body, unique_number

A, B = "a" * 24, "b" * 24
API_LIMIT, WEBHOOK_LIMIT = 4, 3


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_a_company_gets_its_budget_per_minute_and_no_more():
    clock = Clock()
    limiter = TenantRateLimiter({"api": 3, "webhook": 5}, clock=clock)
    for _ in range(3):
        limiter.check("api", A)
    with pytest.raises(ApiError) as refused:
        limiter.check("api", A)
    assert (refused.value.status, refused.value.code) == (429, "RATE_LIMITED")
    limiter.check("api", B)  # another company has its own budget
    for _ in range(5):
        limiter.check("webhook", A)  # and so has each scope
    clock.now += 60.0  # the next minute starts afresh
    limiter.check("api", A)


@pytest.fixture
async def app(redis_url: str, tmp_path) -> AsyncIterator[tuple[httpx.AsyncClient, Services]]:
    settings = Settings(redis_url=redis_url, jwt_secret="rate-limit-jwt-secret-0123456789abcdef",
                        clientsvia_secret_key="rate-limit-secret-key-0123456789",
                        public_base_url=PUBLIC_BASE_URL, provider_mode="doubles",
                        parquet_root=str(tmp_path), bcrypt_rounds=4,
                        api_rate_per_minute=API_LIMIT, webhook_rate_per_minute=WEBHOOK_LIMIT)
    services = Services.from_settings(settings)
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


async def test_webhooks_answer_429_past_a_company_budget_once_signed(app):
    client, services = app
    (busy, busy_body), (calm, calm_body) = [await new_company(client, services)
                                            for _ in range(2)]

    async def status_callback(company: dict, body: dict, signed: bool = True) -> httpx.Response:
        path = f"/api/twilio/status/{company['_id']}"
        form = {"CallSid": "CA" + "4" * 32, "CallStatus": "ringing"}
        token = body["twilioConfig"]["authToken"] if signed else "unsigned-and-wrong-0000"
        signature = RequestValidator(token).compute_signature(PUBLIC_BASE_URL + path, form)
        return await client.post(path, data=form, headers={"X-Twilio-Signature": signature})

    for _ in range(2 * WEBHOOK_LIMIT):  # forged webhooks do not spend the company's budget
        assert (await status_callback(busy, busy_body, signed=False)).status_code == 403
    answers = [await status_callback(busy, busy_body) for _ in range(WEBHOOK_LIMIT + 1)]
    assert [r.status_code for r in answers] == [200] * WEBHOOK_LIMIT + [429]
    assert answers[-1].json()["error"] == "RATE_LIMITED"
    assert (await status_callback(calm, calm_body)).status_code == 200
