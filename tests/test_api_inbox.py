"""The inbox and notifications over HTTP: a message call reaches the inbox and the staff
(through the Notifier actor and its doubles), messages are marked handled, Twilio's
signed status callback moves a text to delivered, and bad input is a clear 4xx."""

from __future__ import annotations

import asyncio

import pytest
import ray
import redis.asyncio as aioredis
from twilio.request_validator import RequestValidator

from loadtest.twilio_sim import TwilioCallSimulator
from runtime.actors.pool import ensure_pool
from runtime.settings import Settings
from tenancy.models.messages import Notification, TakenMessage
from tenancy.registry import CompanyRegistry
from tenancy.secrets import SecretBox
from tests.serve_fixtures import PLATFORM_TWILIO_TOKEN, SECRET_KEY, unique_number
from tests.twilio_webhooks import company as new_company

pytestmark = pytest.mark.ray

WAIT_S = 60.0


@pytest.fixture(scope="module")
def atlas(api_server):
    with api_server.client(api_server.admin_token) as admin:
        company = new_company(admin, "Inbox Air")
        base = f"/api/company/{company['_id']}"
        company["onCall"] = admin.post(f"{base}/employees", json={
            "name": "Maria Lopez", "phone": unique_number(), "isOnCall": True,
            "email": "maria@inbox-air.example"}).json()
        quiet_off = admin.patch(base, json={"companyEmail": "office@inbox-air.example",
                                            "notificationSettings": {
                                                "quietHours": {"enabled": False}}})
        assert quiet_off.status_code == 200, quiet_off.text
    return company


async def store_of(api_server, company_id: str):
    redis = aioredis.Redis.from_url(api_server.settings["redis_url"], decode_responses=True)
    return redis, CompanyRegistry(redis, SecretBox(SECRET_KEY)).tenant(company_id)


async def poll(read, done, what: str, wait_s: float = WAIT_S):
    deadline = asyncio.get_running_loop().time() + wait_s
    while not done(value := await read()):
        assert asyncio.get_running_loop().time() < deadline, f"timed out: {what}: {value}"
        await asyncio.sleep(0.2)
    return value


async def test_a_message_call_reaches_the_inbox_and_the_on_call_tech(api_server, atlas):
    assert ray.get(ensure_pool(Settings(**api_server.settings)).wait_warm.remote(120))
    caller = unique_number()
    async with TwilioCallSimulator(api_server.base_url, PLATFORM_TWILIO_TOKEN,
                                   public_base_url=api_server.settings["public_base_url"]) as sim:
        record = await sim.place_call(
            to=atlas["number"], from_=caller, company_id=atlas["_id"], dial_outcome="no-answer",
            utterances=["Can I talk to a real person please?",
                        "This is Pat at 12 Palm Street, my AC is broken.", "yes"])
    assert record.ok, record.errors
    base = f"/api/company/{atlas['_id']}"
    with api_server.client(api_server.admin_token) as admin:
        async def messages():
            return admin.get(f"{base}/messages").json()
        [message] = await poll(messages, bool, "the inbox entry")
        assert (message["callSid"], message["callerNumber"], message["status"]) == (
            record.call_sid, caller, "new")
        assert message["callerName"] == "Pat"
        assert "AC is broken" in message["text"]
        assert set(message) >= {"_id", "callerName", "urgent", "createdAt"}

        async def notifications():
            return admin.get(f"{base}/notifications").json()
        sent = await poll(notifications,
                          lambda ns: len(ns) == 3 and all(n["status"] == "sent" for n in ns),
                          "the notifications to be sent")
        assert sorted((n["channel"], n["to"]) for n in sent) == sorted([
            ("sms", atlas["onCall"]["phone"]), ("email", "maria@inbox-air.example"),
            ("email", "office@inbox-air.example")])
        assert {(n["reason"], n["attempts"]) for n in sent} == {("message", 1)}
        assert {n["provider"] for n in sent} == {"sms-double", "email-double"}

        handled = admin.patch(f"{base}/messages/{message['_id']}", json={"status": "handled"})
        assert handled.status_code == 200 and handled.json()["status"] == "handled"
        assert admin.get(f"{base}/messages", params={"status": "new"}).json() == []


async def test_bad_input_is_a_clear_4xx_and_changes_nothing(api_server, atlas):
    redis, store = await store_of(api_server, atlas["_id"])
    kept = TakenMessage(callSid="CA" + "7" * 32, callerNumber="+12395550123", text="hi")
    await store.messages.keep(kept)
    await redis.aclose()
    base = f"/api/company/{atlas['_id']}"
    with api_server.client(api_server.admin_token) as admin:
        for body in ({"status": "deleted"}, {}, {"status": "handled", "text": "x"}):
            response = admin.patch(f"{base}/messages/{kept.id}", json=body)
            assert response.status_code in (400, 422), response.text
            assert response.json()["error"] == "VALIDATION_ERROR"
        assert admin.patch(f"{base}/messages/nothex", json={"status": "handled"}
                           ).status_code == 400
        assert admin.patch(f"{base}/messages/{'0' * 24}", json={"status": "handled"}
                           ).status_code == 404
        assert admin.get(f"{base}/messages", params={"limit": 0}).status_code in (400, 422)
        for settings in ({"officeEmail": "not-an-email"},
                         {"escalationOrder": ["+1239"]},
                         {"quietHours": {"start": "25:00"}}):
            response = admin.patch(base, json={"notificationSettings": settings})
            assert response.status_code in (400, 422), response.text
        company = admin.get(base).json()
        assert company["notificationSettings"]["quietHours"]["enabled"] is False
        assert any(m["_id"] == kept.id and m["status"] == "new"
                   for m in admin.get(f"{base}/messages").json())


async def test_twilios_signed_status_callback_moves_a_text_forward_only(api_server, atlas):
    redis, store = await store_of(api_server, atlas["_id"])
    sid = "SM" + "6" * 32
    notification = Notification(channel="sms", to=atlas["onCall"]["phone"], body="hi",
                                reason="message", status="sent", providerIds=[sid], attempts=1)
    await store.notifications.save(notification)
    path = f"/api/twilio/message-status/{atlas['_id']}"
    url = api_server.settings["public_base_url"].rstrip("/") + path

    def signed(params: dict[str, str]) -> dict[str, str]:
        return {"X-Twilio-Signature": RequestValidator(PLATFORM_TWILIO_TOKEN).compute_signature(
            url, params)}

    def form(status: str, message_sid: str = sid) -> dict[str, str]:
        return {"MessageSid": message_sid, "MessageStatus": status, "AccountSid": "AC" + "1" * 32,
                "From": atlas["number"], "To": atlas["onCall"]["phone"]}

    with api_server.client() as twilio:
        for status in ("delivered", "sent", "sending"):  # out of order: sent comes late
            response = twilio.post(path, data=form(status), headers=signed(form(status)))
            assert response.status_code == 204, response.text
        bad = form("delivered", "SMnot-a-sid")
        assert twilio.post(path, data=bad, headers=signed(bad)).status_code == 400
    assert (await store.notifications.get(notification.id)).status == "delivered"
    await redis.aclose()
