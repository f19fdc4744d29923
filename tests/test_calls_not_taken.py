"""A call no agent took is never lost: signed incoming-call webhooks refused (the company's
call budget spent, no idle actor, the gateway failing) show up in that company's call log,
and the caller gets the missed-call text-back, once, unless the office got the call."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator

import httpx
import pytest

from analytics.drain import CallLogDrain
from analytics.emitter import CallEventEmitter
from runtime.actors.calls_not_taken import CallsNotTaken
from runtime.actors.messages import AgentReply, CallRefused, CallSetup, Utterance
from runtime.actors.pool import BUSY_MESSAGE, FORWARD_MESSAGE
from runtime.serve.app import create_api
from runtime.serve.services import Services
from runtime.settings import Settings
from tenancy.users import Role
from tests.serve_fixtures import PUBLIC_BASE_URL, new_company_body, unique_number
from tests.test_rate_limits import bearer, signed

NEW_CALL_LIMIT = 2


class Gateway:
    """Stands in for the call actors: greets, refuses as the pool does, or fails."""

    def __init__(self) -> None:
        self.mode = "answer"

    async def start_call(self, setup: CallSetup,
                         forward_to: str | None = None) -> AgentReply | CallRefused:
        if self.mode == "fail":
            raise RuntimeError("the pool's actor died mid-claim")
        if self.mode == "taken":  # the CallSid is another company's live call
            return CallRefused(reason="call_sid_taken", message="Sorry.")
        if self.mode == "refuse":
            return CallRefused(reason="no_idle_actor", forward_to=forward_to,
                               message=FORWARD_MESSAGE if forward_to else BUSY_MESSAGE)
        return AgentReply(call_sid=setup.call_sid, utterances=(Utterance("Hello!"),),
                          action={"type": "Listen"})


class Office:
    def __init__(self, client: httpx.AsyncClient, services: Services, gateway: Gateway,
                 stream: str) -> None:
        self.client, self.services, self.gateway, self.stream = client, services, gateway, stream

    async def company(self, **fields: object) -> tuple[dict, dict]:
        body = {**new_company_body("Night Owl HVAC", numbers=(unique_number(),)), **fields}
        response = await self.client.post("/api/company", json=body,
                                          headers=bearer(self.services, Role.PLATFORM_ADMIN))
        assert response.status_code == 201, response.text
        return response.json(), body

    async def call(self, company: dict, body: dict, call_sid: str,
                   caller: str) -> httpx.Response:
        path = f"/api/twilio/webhook/{company['_id']}"
        form = {"CallSid": call_sid, "CallStatus": "ringing", "From": caller,
                "To": body["twilioConfig"]["phoneNumbers"][0]["phoneNumber"]}
        response = await self.client.post(path, data=form, headers=signed(body, path, form))
        assert response.status_code == 200, response.text
        return response

    async def call_log(self, company: dict) -> list[dict]:
        """The company's calls as its own admin reads them, once the LogSink has drained."""
        drain = CallLogDrain(self.services.redis, self.services.settings.parquet_root,
                             stream=self.stream)
        await drain.drain_until_idle()
        drain.close()
        response = await self.client.get(
            f"/api/company/{company['_id']}/call-logs",
            headers=bearer(self.services, Role.COMPANY_ADMIN, company["_id"]))
        assert response.status_code == 200, response.text
        return list(response.json()["items"])

    async def texts(self, company: dict) -> list:
        await self.services.not_taken.background.settle()
        return list(await self.services.registry.tenant(company["_id"]).notifications.list())


@pytest.fixture
async def office(redis_url: str, tmp_path) -> AsyncIterator[Office]:
    settings = Settings(redis_url=redis_url, jwt_secret="not-taken-jwt-secret-0123456789abcdef",
                        clientsvia_secret_key="not-taken-secret-key-0123456789ab",
                        public_base_url=PUBLIC_BASE_URL, provider_mode="doubles",
                        parquet_root=str(tmp_path), bcrypt_rounds=4,
                        new_call_rate_per_minute=NEW_CALL_LIMIT)
    services = Services.from_settings(settings)
    gateway = Gateway()
    services._calls = gateway  # type: ignore[assignment]
    stream = f"g:stream:test-not-taken-{secrets.token_hex(4)}"  # this test's events only
    services.not_taken = CallsNotTaken(CallEventEmitter(services.redis, stream=stream),
                                       services.registry.tenant)
    transport = httpx.ASGITransport(app=create_api(services))
    async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_BASE_URL) as client:
        yield Office(client, services, gateway, stream)
    await services.close()


def new_sid() -> str:
    return "CA" + secrets.token_hex(16)


async def test_a_call_refused_for_busy_lines_is_in_the_call_log_and_texted_back_once(office):
    night_owl, body = await office.company(postCallTexts={"enabled": True})
    neighbour, _ = await office.company()
    office.gateway.mode = "refuse"
    sid, caller = new_sid(), unique_number()
    first = await office.call(night_owl, body, sid, caller)
    retry = await office.call(night_owl, body, sid, caller)  # Twilio retrying the webhook
    assert "lines are busy" in first.text and "<Hangup" in first.text
    assert retry.text == first.text

    [call] = await office.call_log(night_owl)
    assert call["callSid"] == sid and call["callerNumber"] == caller
    assert call["outcome"] == "not_taken" and call["transferredTo"] is None
    assert call["calledNumber"] == body["twilioConfig"]["phoneNumbers"][0]["phoneNumber"]
    assert "all lines were busy" in call["summary"]
    assert await office.call_log(neighbour) == []  # another company sees nothing of it

    [text] = await office.texts(night_owl)
    assert text.to == caller and text.reason == "missed_call"
    assert "Sorry we missed you at Night Owl HVAC" in text.body
    assert await office.texts(neighbour) == []


async def test_a_call_past_the_company_budget_forwarded_to_the_office_gets_no_text(office):
    office_phone = unique_number()
    night_owl, body = await office.company(postCallTexts={"enabled": True},
                                           companyPhone=office_phone)
    for _ in range(NEW_CALL_LIMIT):
        assert "<Gather" in (await office.call(night_owl, body, new_sid(), unique_number())).text
    sid = new_sid()
    refused = await office.call(night_owl, body, sid, unique_number())
    assert "<Dial" in refused.text and office_phone in refused.text

    [call] = [c for c in await office.call_log(night_owl) if c["callSid"] == sid]
    assert call["outcome"] == "not_taken" and call["transferredTo"] == office_phone
    assert "too many calls" in call["summary"] and "forwarded to the office" in call["summary"]
    assert await office.texts(night_owl) == []


async def test_a_call_whose_setup_failed_is_logged_and_texted_even_if_the_log_is_down(office):
    night_owl, body = await office.company(postCallTexts={"enabled": True})
    office.gateway.mode = "fail"
    sid, caller = new_sid(), unique_number()
    office.services.not_taken = CallsNotTaken(  # the stream refuses every event
        CallEventEmitter(office.services.redis, stream=office.stream, max_backlog=0),
        office.services.registry.tenant)
    apology = await office.call(night_owl, body, sid, caller)
    assert "cannot take your call right now" in apology.text and "<Hangup" in apology.text
    assert await office.call_log(night_owl) == []
    [text] = await office.texts(night_owl)
    assert text.to == caller

    office.services.not_taken = CallsNotTaken(  # the stream is back: the next one is logged
        CallEventEmitter(office.services.redis, stream=office.stream),
        office.services.registry.tenant)
    second = new_sid()
    await office.call(night_owl, body, second, caller)
    [call] = await office.call_log(night_owl)
    assert call["callSid"] == second and "could not be reached" in call["summary"]


async def test_a_webhook_for_a_call_sid_already_taken_is_no_lost_call(office):
    night_owl, body = await office.company(postCallTexts={"enabled": True})
    office.gateway.mode = "taken"
    await office.call(night_owl, body, new_sid(), unique_number())
    assert await office.call_log(night_owl) == []
    assert await office.texts(night_owl) == []
