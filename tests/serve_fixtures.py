"""Fixtures that deploy the real Serve app once per session and talk to it over HTTP."""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from analytics.events import CallEventBase
from runtime.embedded_redis import free_port
from runtime.serve.auth import TokenService
from tenancy.users import Role

JWT_SECRET = "test-jwt-secret-" + secrets.token_hex(8)
SECRET_KEY = "test-secret-key-" + secrets.token_hex(8)
PLATFORM_TWILIO_TOKEN = "platform-twilio-token-0000"
# A tenant's own Twilio account, and the numbers the offline Twilio double says it owns.
TENANT_TWILIO_ACCOUNT = "AC" + secrets.token_hex(16)
TENANT_OWNED_NUMBERS = tuple(f"+1415{secrets.randbelow(10**7):07d}" for _ in range(6))


def secret_environment() -> dict[str, str]:
    """The session's secrets as every Ray process of the test session sees them."""
    return {"JWT_SECRET": JWT_SECRET, "CLIENTSVIA_SECRET_KEY": SECRET_KEY,
            "TWILIO_AUTH_TOKEN": PLATFORM_TWILIO_TOKEN}
# What the app believes its public address is: deliberately not the address tests reach it
# at, so a signature check that rebuilt the URL from the Host header would fail.
PUBLIC_BASE_URL = "https://voice.clientsvia.test"


@dataclass
class ApiServer:
    base_url: str
    settings: dict[str, Any]
    tokens: TokenService

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=30)

    def server_url(self, public_url: str) -> str:
        """Where a URL the app handed out (TwiML, audio) really is, as a proxy would map it."""
        public = self.settings["public_base_url"]
        assert public_url.startswith(public + "/"), f"{public_url} is not under {public}"
        return self.base_url + public_url[len(public):]

    def token(self, role: Role, company_id: str | None = None) -> str:
        return self.tokens.mint(f"{role.value}@test", role, company_id)

    @property
    def admin_token(self) -> str:
        return self.token(Role.PLATFORM_ADMIN)


@pytest.fixture(scope="session")
def api_server(ray_session: None, redis_url: str, tmp_path_factory: pytest.TempPathFactory
               ) -> Iterator[ApiServer]:
    from ray import serve

    from runtime.serve.app import build_app

    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    settings = {
        "redis_url": redis_url,
        "jwt_secret": JWT_SECRET,
        "clientsvia_secret_key": SECRET_KEY,
        "public_base_url": PUBLIC_BASE_URL,
        "twilio_auth_token": PLATFORM_TWILIO_TOKEN,
        "provider_mode": "doubles",
        "parquet_root": str(tmp_path_factory.mktemp("parquet")),
        "http_port": port,
        "bcrypt_rounds": 4,
        "max_body_bytes": 64 * 1024,
        "client_ip_header": "X-Forwarded-For",  # login tests pose as distinct clients
        "double_twilio_numbers": {TENANT_TWILIO_ACCOUNT: list(TENANT_OWNED_NUMBERS)},
    }
    serve.start(http_options={"host": "127.0.0.1", "port": port})
    serve.run(build_app(settings), name="clientsvia", route_prefix="/")
    yield ApiServer(base_url, settings, TokenService(JWT_SECRET, 3600))
    serve.delete("clientsvia")


@pytest.fixture
def admin(api_server: ApiServer) -> Iterator[httpx.Client]:
    with api_server.client(api_server.admin_token) as client:
        yield client


def new_company_body(name: str = "Atlas Air", numbers: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "companyName": name,
        "tradeCategories": ["HVAC", "Plumbing"],
        "timezone": "America/New_York",
        "address": {"city": "Fort Myers", "state": "FL"},
        "twilioConfig": {
            "authToken": "twilio-auth-" + secrets.token_hex(12),
            "apiSecret": "twilio-secret-" + secrets.token_hex(12),
            "phoneNumbers": [
                {"phoneNumber": n, "isPrimary": i == 0} for i, n in enumerate(numbers)
            ],
        },
        "aiSettings": {"elevenLabs": {"voiceId": "21m00Tcm4TlvDq8ikWAM",
                                      "apiKey": "el-key-" + secrets.token_hex(12)}},
    }


# A counter from a random start: numbers never repeat within a test session (random picks
# did, about once in a hundred runs, and a second company cannot claim a number).
_numbers = itertools.count(secrets.randbelow(10**7))


def unique_number() -> str:
    return f"+1239{next(_numbers) % 10**7:07d}"


def next_weekday_at(hour: int, minute: int = 0, *, after_days: int = 3,
                    timezone: str = "America/New_York") -> datetime:
    """A Monday-to-Friday local time at least `after_days` from now (inside default hours)."""
    zone = ZoneInfo(timezone)
    day = datetime.now(zone).date() + timedelta(days=after_days)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, time(hour, minute), zone)
def seed_call_logs(api_server: ApiServer, events: list[CallEventBase], stream: str) -> None:
    """Put call events on disk the way a live call does: emitted, then drained to Parquet."""
    import asyncio

    import redis.asyncio as aioredis

    from analytics.drain import CallLogDrain
    from analytics.emitter import CallEventEmitter

    async def ingest() -> None:
        redis = aioredis.Redis.from_url(api_server.settings["redis_url"])
        await CallEventEmitter(redis, stream=stream).emit_many(events)
        drain = CallLogDrain(redis, api_server.settings["parquet_root"], stream=stream)
        await drain.drain_until_idle()
        drain.close()
        await redis.aclose()

    asyncio.run(ingest())
