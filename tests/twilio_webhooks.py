"""Signed Twilio webhooks sent straight to the session Serve app, and what the pool and
the call actors hold meanwhile (for tests that need webhooks one by one, not a whole call)."""

from __future__ import annotations

import asyncio
import secrets

import httpx
import pytest
import ray
import redis.asyncio as aioredis
from twilio.request_validator import RequestValidator

from runtime.actors.directory import CallDirectory
from runtime.actors.pool import CALL_NAMESPACE, ensure_pool
from runtime.settings import Settings
from tests.serve_fixtures import PLATFORM_TWILIO_TOKEN, unique_number

ALWAYS_OPEN = [{"day": day, "enabled": True, "start": "00:00", "end": "24:00"}
               for day in ("monday", "tuesday", "wednesday", "thursday", "friday",
                           "saturday", "sunday")]


class Twilio:
    """Signs webhooks exactly as Twilio does: against PUBLIC_BASE_URL, never the Host."""

    def __init__(self, api_server, http: httpx.AsyncClient) -> None:
        self._public = api_server.settings["public_base_url"].rstrip("/")
        self._http = http

    async def post(self, path: str, params: dict[str, str], **headers: str) -> httpx.Response:
        signature = RequestValidator(PLATFORM_TWILIO_TOKEN).compute_signature(
            self._public + path, params)
        response = await self._http.post(path, data=params,
                                         headers={"X-Twilio-Signature": signature, **headers})
        assert response.status_code == 200, response.text
        return response


def company(admin, name: str, **twilio) -> dict:
    number = unique_number()
    created = admin.post("/api/company", json={
        "companyName": name, "companyPhone": unique_number(), "tradeCategories": ["HVAC"],
        "twilioConfig": {"phoneNumbers": [{"phoneNumber": number, "isPrimary": True}],
                         **twilio},
        "agentSetup": {"operatingHours": ALWAYS_OPEN},
    })
    assert created.status_code == 201, created.text
    return {**created.json(), "number": number}


def incoming(target: dict, call_sid: str) -> dict[str, str]:
    return {"CallSid": call_sid, "AccountSid": "AC" + "1" * 32, "From": unique_number(),
            "To": target["number"], "CallStatus": "ringing", "Direction": "inbound"}


def new_call_sid() -> str:
    return "CA" + secrets.token_hex(16)


@pytest.fixture(scope="module")
def call_pool(api_server):
    pool = ensure_pool(Settings(**api_server.settings))
    assert ray.get(pool.wait_warm.remote(120))
    return pool


async def stats(pool) -> dict:
    current = await pool.stats.remote()
    return {"active": current.active, "created": current.created,
            "refused": current.extra["refused"]}


@pytest.fixture
async def twilio(api_server):
    async with httpx.AsyncClient(base_url=api_server.base_url, timeout=30) as http:
        yield Twilio(api_server, http)


async def hang_up(twilio: Twilio, target: dict, call_sid: str) -> None:
    await twilio.post(f"/api/twilio/status/{target['_id']}",
                      {**incoming(target, call_sid), "CallStatus": "completed",
                       "CallDuration": "5"})


async def describe_call(api_server, call_sid: str) -> dict:
    """The live call as its actor holds it."""
    described = await (await actor_of(api_server, call_sid)).describe_call.remote(call_sid)
    assert described is not None
    return described


async def actor_of(api_server, call_sid: str):
    """The handle of the actor holding the live call."""
    redis = aioredis.Redis.from_url(api_server.settings["redis_url"], decode_responses=True)
    try:
        entry = await CallDirectory(redis).lookup(call_sid)
    finally:
        await redis.aclose()
    assert entry is not None
    return ray.get_actor(entry.actor_name, namespace=CALL_NAMESPACE)


async def logged_call(client, company_id: str, call_sid: str) -> httpx.Response:
    """The call as its company reads it, once the session's LogSink (draining in the
    background) has written it: polled for up to ~30 s."""
    path = f"/api/company/{company_id}/call-logs/{call_sid}"
    for _ in range(60):
        logged = client.get(path)
        if logged.status_code == 200:
            break
        await asyncio.sleep(0.5)
    return logged
