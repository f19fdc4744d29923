"""Messages taken on the phone, end to end through signed Twilio webhooks from the simulator:
the inbox entry carries the caller's name and callback number, and an emergency whose
transfer nobody answers becomes an urgent message that escalates down the company's list."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.serve_fixtures import unique_number
from tests.test_api_inbox import poll
from tests.test_calls_e2e import call, session_turns
from tests.twilio_webhooks import company as new_company

pytestmark = pytest.mark.ray

DIGIT_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


def spoken_digits(number: str) -> str:
    """"+12395550123" as a caller says it: "two three nine five five five ..."."""
    return " ".join(DIGIT_WORDS[int(d)] for d in number[2:])


def employee(admin, company: dict, name: str, **fields) -> dict:
    created = admin.post(f"/api/company/{company['_id']}/employees",
                         json={"name": name, "phone": unique_number(), **fields})
    assert created.status_code == 201, created.text
    return created.json()


def fetch(admin, company: dict, what: str):
    async def read():
        return admin.get(f"/api/company/{company['_id']}/{what}").json()
    return read


async def test_a_message_call_keeps_the_callers_name_number_and_message(
    api_server, admin, call_pool
):
    company = new_company(admin, "Name Air")
    on_call = employee(admin, company, "Maria Lopez", isOnCall=True)
    caller, cell = unique_number(), unique_number()
    record = await call(api_server, company, "Can I leave a message?",
                        "The thermostat screen is blank, I need a new one",
                        "Pat Doe", "no, call my cell please", spoken_digits(cell),
                        caller=caller)
    assert record.ok, record.errors
    lines = [t.agent_text for t in await session_turns(api_server, record.call_sid)]
    assert "Thanks. And who should I say called?" in lines
    [message] = await poll(fetch(admin, company, "messages"), bool, "the inbox entry")
    assert (message["callerName"], message["callerNumber"], message["callSid"]) == (
        "Pat Doe", cell, record.call_sid)
    assert message["text"] == "The thermostat screen is blank, I need a new one"
    assert message["urgent"] is False
    notified = await poll(fetch(admin, company, "notifications"),
                          lambda ns: any(n["channel"] == "sms" for n in ns), "the staff text")
    [text] = [n for n in notified if n["channel"] == "sms"]
    assert text["to"] == on_call["phone"]
    assert f"from Pat Doe ({cell})" in text["body"] and "screen is blank" in text["body"]


async def test_an_emergency_nobody_answers_escalates_down_the_list(api_server, admin, call_pool):
    company = new_company(admin, "Escalation Air")
    on_call = employee(admin, company, "Maria Lopez", isOnCall=True, role="Technician")
    second = employee(admin, company, "Joe Park", role="Technician")
    third = employee(admin, company, "Ann Cole", role="Manager")
    patched = admin.patch(f"/api/company/{company['_id']}", json={"notificationSettings": {
        "quietHours": {"enabled": False}, "escalationMinutes": 1,
        "urgent": {"sms": True, "email": False, "onCall": True, "officeEmail": False},
        "escalationOrder": [on_call["_id"], second["_id"], third["_id"]]}})
    assert patched.status_code == 200, patched.text
    caller = unique_number()
    record = await call(api_server, company, "I smell gas in the basement",
                        "This is Sam Reed at 4 Elm Street", "yes", caller=caller,
                        dial_outcome="no-answer")
    assert record.ok, record.errors
    assert record.transfers[0].numbers == (on_call["phone"],)
    turns = await session_turns(api_server, record.call_sid)
    missed = next(t.agent_text for t in turns if t.agent_text.startswith("I'm sorry, nobody"))
    assert "If you smell gas" in missed and "urgent" in missed  # the safety lines again

    [message] = await poll(fetch(admin, company, "messages"), bool, "the urgent message")
    assert message["urgent"] is True and message["text"].startswith("I smell gas in the basement")
    assert (message["callerName"], message["callerNumber"]) == ("Sam Reed", caller)

    def texts_to(notifications, employee_):
        return [n for n in notifications if n["to"] == employee_["phone"]]

    # the on-call tech at once (the urgent rule and escalation step 1), the next a minute on
    first = await poll(fetch(admin, company, "notifications"),
                       lambda ns: texts_to(ns, on_call)
                       and all(n["status"] == "sent" for n in texts_to(ns, on_call)),
                       "the on-call tech's texts")
    [queued] = texts_to(first, second)
    assert queued["status"] == "queued" and queued["reason"] == "emergency"
    assert "escalation 2 of 3" in queued["body"]
    assert datetime.fromisoformat(queued["notBefore"]) >= datetime.fromisoformat(
        message["createdAt"]) + timedelta(minutes=1)
    escalated = await poll(fetch(admin, company, "notifications"),
                           lambda ns: texts_to(ns, second)[0]["status"] == "sent",
                           "the escalation to the next in the list", wait_s=180.0)
    [sent_second] = texts_to(escalated, second)
    sent_at = datetime.fromisoformat(sent_second["updatedAt"])
    assert sent_at >= datetime.fromisoformat(queued["notBefore"])  # when due, not before
    [waiting] = texts_to(escalated, third)
    assert waiting["status"] == "queued" and "escalation 3 of 3" in waiting["body"]

    handled = admin.patch(f"/api/company/{company['_id']}/messages/{message['_id']}",
                          json={"status": "handled"})
    assert handled.status_code == 200, handled.text  # acknowledged: the list stops here
