"""Two-way SMS and post-call texts end to end: signed Twilio webhooks into the real Serve
app, call actors, the Notifier actor and its recording SMS double (a notification's
`provider` is `sms-double` once the double took it)."""

from __future__ import annotations

import argparse
import io
import secrets
import xml.etree.ElementTree as ET

import httpx
import pytest
from twilio.request_validator import RequestValidator

from loadtest import text_cli
from runtime.conversation.texting import HANDED_OFF
from runtime.providers.doubles import default_reply
from tests.serve_fixtures import PLATFORM_TWILIO_TOKEN, unique_number
from tests.test_api_inbox import poll
from tests.test_calls_e2e import (
    ALWAYS_OPEN,
    ATLAS_VOICE,
    call,
    company_body,
    make_company,
    simulator,
)
from tests.twilio_webhooks import call_pool  # noqa: F401 (a fixture: the warm call pool)

pytestmark = pytest.mark.ray

SMS = "/api/twilio/sms"
FINANCING = "Yes, we offer financing with approved credit."


@pytest.fixture(scope="module")
def texting(api_server, call_pool):  # noqa: F811
    """A company that texts callers after calls (no quiet hours), with one FAQ."""
    windows = [{"day": d["day"], "start": "09:00", "end": "17:00"} for d in ALWAYS_OPEN]
    with api_server.client(api_server.admin_token) as admin:
        return make_company(admin, company_body(
            "Texting Air", ATLAS_VOICE, postCallTexts={"enabled": True},
            notificationSettings={"quietHours": {"enabled": False}},
            bookingSettings={"windows": windows},
        ), [("Do you offer financing?", FINANCING)])


async def post_text(api_server, company: dict, customer: str, body: str,
                    sid: str | None = None, **overrides: str) -> httpx.Response:
    params = {"MessageSid": sid or "SM" + secrets.token_hex(16),
              "AccountSid": "AC" + "1" * 32, "From": customer, "To": company["number"],
              "Body": body, "NumMedia": "0", **overrides}
    public = api_server.settings["public_base_url"].rstrip("/") + SMS
    signature = RequestValidator(PLATFORM_TWILIO_TOKEN).compute_signature(public, params)
    async with httpx.AsyncClient(base_url=api_server.base_url, timeout=30) as http:
        return await http.post(SMS, data=params, headers={"X-Twilio-Signature": signature})


async def texted(api_server, company: dict, customer: str, body: str, sid: str | None = None
                 ) -> list[str]:
    """The texts the company replied with (TwiML <Message>s)."""
    response = await post_text(api_server, company, customer, body, sid)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml")
    return [m.text or "" for m in ET.fromstring(response.text).iter("Message")]


def notifications_of(api_server, company: dict, reason: str, to: str | None = None):
    async def read() -> list[dict]:
        with api_server.client(api_server.admin_token) as admin:
            found = admin.get(f"/api/company/{company['_id']}/notifications").json()
        return [n for n in found if n["reason"] == reason and to in (None, n["to"])]
    return read


def settled(notifications: list[dict]) -> bool:
    return bool(notifications) and all(n["status"] != "queued" for n in notifications)


async def test_a_text_thread_answers_from_knowledge_and_hands_off_to_staff_once(
        api_server, texting):
    customer = unique_number()
    assert await texted(api_server, texting, customer, "Do you offer financing?") == [FINANCING]
    handoff_sid = "SM" + secrets.token_hex(16)
    reply = await texted(api_server, texting, customer, "Can I talk to a person?", handoff_sid)
    assert reply == [HANDED_OFF]
    alerts = await poll(notifications_of(api_server, texting, "sms_handoff"), settled,
                        "the staff to be told")
    on_call = texting["onCall"]["phone"]
    assert [(n["to"], n["status"], n["provider"]) for n in alerts if n["channel"] == "sms"] == [
        (on_call, "sent", "sms-double")]
    assert "Can I talk to a person?" in alerts[0]["body"]

    # Twilio retries the webhook: the same reply, nobody told twice, one text in the thread
    assert await texted(api_server, texting, customer, "Can I talk to a person?",
                        handoff_sid) == [HANDED_OFF]
    assert len(await notifications_of(api_server, texting, "sms_handoff")()) == len(alerts)
    base = f"/api/company/{texting['_id']}"
    with api_server.client(api_server.admin_token) as admin:
        thread = admin.get(f"{base}/sms-conversations/{customer}").json()
        assert [(t["role"], t["text"]) for t in thread["texts"]] == [
            ("customer", "Do you offer financing?"), ("agent", FINANCING),
            ("customer", "Can I talk to a person?"), ("agent", HANDED_OFF)]
        listed = admin.get(f"{base}/sms-conversations").json()
        assert listed[0]["number"] == customer and listed[0]["textCount"] == 4
        inbox = admin.get(f"{base}/messages").json()
        assert any(m["source"] == "sms" and m["callerNumber"] == customer for m in inbox)


async def test_a_question_knowledge_cannot_answer_gets_the_language_models_answer(
        api_server, texting):
    """The deployed replica answers with the model the settings choose (the scripted double
    here, Gemini with a key), as a call actor would."""
    customer, question = unique_number(), "Can your technicians look at my attic insulation?"
    assert await texted(api_server, texting, customer, question) == [default_reply(question)]
    with api_server.client(api_server.admin_token) as admin:
        thread = admin.get(f"/api/company/{texting['_id']}/sms-conversations/{customer}").json()
    assert [(t["role"], t["text"]) for t in thread["texts"]] == [
        ("customer", question), ("agent", default_reply(question))]


async def test_an_emergency_text_gets_safety_lines_and_on_call_is_told(api_server, texting):
    [reply] = await texted(api_server, texting, unique_number(),
                           "Help, there is a gas smell in my kitchen")
    assert "leave the building" in reply and "on-call team" in reply
    alerts = await poll(notifications_of(api_server, texting, "emergency",
                                         texting["onCall"]["phone"]),
                        settled, "the on-call tech to be told")
    assert {(n["status"], n["provider"]) for n in alerts} == {("sent", "sms-double")}


async def test_stop_suppresses_the_missed_call_text_back_and_start_brings_it_back(
        api_server, texting):
    caller = unique_number()
    assert await texted(api_server, texting, caller, "STOP") == []
    async with simulator(api_server) as sim:  # hangs up during the greeting
        live = await sim.start(to=texting["number"], from_=caller, company_id=texting["_id"])
        assert (await live.hang_up()).ok
    [suppressed] = await poll(notifications_of(api_server, texting, "missed_call", caller),
                              settled, "the text-back to be refused")
    assert suppressed["status"] == "failed" and "opted out" in suppressed["lastError"]

    [welcome] = await texted(api_server, texting, caller, "START")
    assert "texts again" in welcome
    record = await call(api_server, texting, caller=caller)  # silent until the agent hangs up
    assert record.ok, record.errors
    sent = await poll(notifications_of(api_server, texting, "missed_call", caller),
                      lambda ns: any(n["status"] == "sent" for n in ns), "the text-back")
    [text_back] = [n for n in sent if n["status"] == "sent"]
    assert "Sorry we missed you at Texting Air" in text_back["body"]


async def test_a_booking_call_is_confirmed_by_text(api_server, texting):
    caller = unique_number()
    record = await call(api_server, texting, "I'd like to book a repair", "tomorrow afternoon",
                        "the first", "Pat", "12 Palm Ave", "yes", "yes", "bye", caller=caller)
    assert record.ok, record.errors
    [confirmation] = await poll(
        notifications_of(api_server, texting, "booking_confirmation", caller), settled,
        "the booking confirmation")
    assert confirmation["status"] == "sent" and "visit is booked for" in confirmation["body"]
    # an answered call is not a missed one
    assert await notifications_of(api_server, texting, "missed_call", caller)() == []


async def test_an_answered_call_is_summarized_by_text_when_the_company_wants_it(
        api_server, call_pool):  # noqa: F811
    with api_server.client(api_server.admin_token) as admin:
        company = make_company(admin, company_body(
            "Summing Air", ATLAS_VOICE, postCallTexts={"enabled": True, "summary": True},
            notificationSettings={"quietHours": {"enabled": False}},
        ), [("Do you offer financing?", FINANCING)])
    caller = unique_number()
    record = await call(api_server, company, "Do you offer financing?", "bye", caller=caller)
    assert record.ok, record.errors
    [summary] = await poll(notifications_of(api_server, company, "summary", caller), settled,
                           "the summary text")
    assert summary["status"] == "sent" and summary["to"] == caller
    assert summary["body"].startswith("Thanks for calling Summing Air: ")
    assert "financing" in summary["body"] and summary["body"].endswith("Reply STOP to opt out.")
    assert len(summary["body"]) <= 320
    assert await notifications_of(api_server, company, "missed_call", caller)() == []


async def test_malformed_texts_and_numbers_are_a_clear_4xx(api_server, texting):
    bad_from = await post_text(api_server, texting, "not-a-number", "hi")
    assert bad_from.status_code == 400 and bad_from.json()["error"] == "INVALID_NUMBER"
    bad_sid = await post_text(api_server, texting, unique_number(), "hi", sid="SM123")
    assert bad_sid.status_code == 400 and bad_sid.json()["error"] == "INVALID_MESSAGE_SID"
    long_body = await texted(api_server, texting, unique_number(), "word " * 2000)
    assert long_body and all(len(part) <= 1600 for part in long_body)
    base = f"/api/company/{texting['_id']}/sms-conversations"
    with api_server.client(api_server.admin_token) as admin:
        for number, status in (("12345", 400), ("+1239" + "x" * 7, 400),
                               (unique_number(), 404)):
            response = admin.get(f"{base}/{number}")
            assert response.status_code == status, response.text
        assert admin.get(base, params={"limit": 0}).status_code in (400, 422)
        invalid = admin.patch(f"/api/company/{texting['_id']}",
                              json={"postCallTexts": {"enabled": "sometimes"}})
        assert invalid.status_code in (400, 422)
        assert admin.get(f"/api/company/{texting['_id']}").json()["postCallTexts"]["enabled"]


async def test_the_text_command_prints_the_conversation(api_server, texting):
    out = io.StringIO()
    args = argparse.Namespace(
        base_url=api_server.base_url, public_base_url=api_server.settings["public_base_url"],
        auth_token=PLATFORM_TWILIO_TOKEN, to=texting["number"], from_=unique_number(),
        bodies=["Do you offer financing?", "STOP"])
    assert await text_cli.run(args, out) == text_cli.EXIT_OK
    assert out.getvalue().splitlines() == [
        "customer: Do you offer financing?", f"   agent: {FINANCING}",
        "customer: STOP", "   agent: (no reply)"]
