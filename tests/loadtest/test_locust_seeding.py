"""Seeding load-test tenants through the real admin API, and the tenants file Locust reads.

The admin API runs in-process (no Ray) on the session's real Redis, so a seeded company
is exactly what the platform accepts and stores.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from loadtest import run_load
from loadtest.run_load import Tenant, TenantSeeder, read_tenants, write_tenants
from runtime.serve.app import create_api
from runtime.serve.services import Services
from runtime.settings import Settings
from tenancy.users import Role


@pytest.fixture
async def admin_api(redis_url: str) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    """An HTTP client on the admin API, and a platform-admin token for it."""
    settings = Settings(
        redis_url=redis_url,
        jwt_secret=SecretStr("load-test-jwt-" + secrets.token_hex(16)),
        clientsvia_secret_key=SecretStr("load-test-key-" + secrets.token_hex(16)),
        bcrypt_rounds=4,
    )
    services = Services.from_settings(settings)
    token = services.tokens.mint("load@test", Role.PLATFORM_ADMIN)
    transport = httpx.ASGITransport(app=create_api(services))
    async with httpx.AsyncClient(transport=transport, base_url="http://admin.test") as http:
        yield http, token
    await services.close()


async def seeded(http: httpx.AsyncClient, token: str, count: int, seed: int) -> list[Tenant]:
    return await TenantSeeder(http, token, random.Random(seed)).seed(count)


async def test_seeding_creates_callable_tenants_of_every_trade(
    admin_api: tuple[httpx.AsyncClient, str],
) -> None:
    http, token = admin_api
    auth = {"Authorization": f"Bearer {token}"}

    tenants = await seeded(http, token, 6, seed=101)

    assert len({t.number for t in tenants}) == 6
    assert sorted(t.trade for t in tenants) == sorted(["HVAC", "Plumbing", "Electrical"] * 2)
    for tenant in tenants:
        company = (await http.get(f"/api/company/{tenant.company_id}", headers=auth)).json()
        assert company["twilioConfig"]["phoneNumbers"][0]["phoneNumber"] == tenant.number
        assert company["twilioConfig"].get("authToken") is None  # the platform token signs
        assert company["tradeCategories"] == [tenant.trade]
        assert all(day["enabled"] for day in company["agentSetup"]["operatingHours"])
        base = f"/api/company/{tenant.company_id}"
        knowledge = (await http.get(f"{base}/knowledge", headers=auth)).json()
        staff = (await http.get(f"{base}/employees", headers=auth)).json()
        assert len(knowledge) >= 3
        assert [employee["isOnCall"] for employee in staff] == [True]


async def test_a_number_another_company_owns_is_skipped(
    admin_api: tuple[httpx.AsyncClient, str],
) -> None:
    http, token = admin_api
    seed = 202
    (first,) = await seeded(http, token, 1, seed)  # owns the number this seed tries first

    (second,) = await seeded(http, token, 1, seed)

    assert second.number != first.number and second.company_id != first.company_id


async def test_seeding_stops_with_the_apis_answer_when_refused(
    admin_api: tuple[httpx.AsyncClient, str],
) -> None:
    http, _ = admin_api

    with pytest.raises(RuntimeError, match="POST /api/company answered 401"):
        await seeded(http, "not-a-token", 1, seed=1)


def test_the_tenants_file_round_trips_in_the_documented_shape(tmp_path: Path) -> None:
    path = tmp_path / "load" / "tenants.json"
    tenants = [Tenant("a" * 24, "+12395550100", "HVAC")]

    write_tenants(path, tenants)

    assert read_tenants(path) == tenants
    assert '"companyId": "aaaaaaaaaaaaaaaaaaaaaaaa"' in path.read_text()
    path.write_text("[]")
    with pytest.raises(ValueError, match="lists no tenants"):
        read_tenants(path)


def test_run_load_refuses_to_start_without_what_it_needs(
    capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_load.main(["--run-time", "1s"], env={}) == 2
    assert "--twilio-auth-token" in capsys.readouterr().err
    assert run_load.main([], env={"CLIENTSVIA_TWILIO_AUTH_TOKEN": "t" * 32}) == 2
    assert "--admin-token" in capsys.readouterr().err

