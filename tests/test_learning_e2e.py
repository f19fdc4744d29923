"""What calls teach, end to end through signed Twilio webhooks: an unknown question
becomes a suggestion, its approval an entry the next call (reworded) is answered from;
and every call's summary reaches its call log and the staff told about its message."""

from __future__ import annotations

import asyncio

import pytest
import ray

from loadtest.twilio_sim import TwilioCallSimulator
from runtime.actors.pool import ensure_pool
from runtime.settings import Settings
from tests.serve_fixtures import PLATFORM_TWILIO_TOKEN, unique_number
from tests.twilio_webhooks import company as new_company

pytestmark = pytest.mark.ray

WAIT_S = 90.0
VETERANS = "Do you offer a discount for military veterans?"
REWORDED = "Do you give discounts to people who served in the military?"
ANSWER = "Yes: veterans get ten percent off any repair, just mention it when you book."


async def poll(read, done, what: str):
    deadline = asyncio.get_running_loop().time() + WAIT_S
    while not done(value := read()):
        assert asyncio.get_running_loop().time() < deadline, f"timed out: {what}: {value}"
        await asyncio.sleep(0.3)
    return value


@pytest.fixture(scope="module")
def warm(api_server):
    assert ray.get(ensure_pool(Settings(**api_server.settings)).wait_warm.remote(120))


async def place(api_server, company: dict, utterances: list[str], caller: str | None = None):
    async with TwilioCallSimulator(api_server.base_url, PLATFORM_TWILIO_TOKEN,
                                   public_base_url=api_server.settings["public_base_url"]) as sim:
        record = await sim.place_call(to=company["number"], from_=caller or unique_number(),
                                      company_id=company["_id"], dial_outcome="no-answer",
                                      utterances=utterances)
    assert record.ok, record.errors
    return record


def call_log(admin, company: dict, call_sid: str):
    response = admin.get(f"/api/company/{company['_id']}/call-logs/{call_sid}")
    return response.json() if response.status_code == 200 else None


async def test_an_unknown_question_is_learned_and_answered_next_time(api_server, warm):
    with api_server.client(api_server.admin_token) as admin:
        company = new_company(admin, "Learning Air")
        base = f"/api/company/{company['_id']}"
        for wording in (VETERANS, "do you guys give veterans a discount"):
            record = await place(api_server, company, [wording])
            await poll(lambda sid=record.call_sid: call_log(admin, company, sid), bool,
                       "the call log")

        suggestions = await poll(lambda: admin.get(f"{base}/suggestions").json(),
                                 lambda found: any(s["askedCount"] == 2 for s in found),
                                 "a suggestion asked twice")
        [suggestion] = [s for s in suggestions if s["askedCount"] == 2]
        assert suggestion["question"] == VETERANS and suggestion["status"] == "open"
        assert suggestion["proposedAnswer"] == ""  # offline: nothing drafted
        assert set(suggestion) >= {"_id", "examples", "firstSeen", "lastSeen"}

        approved = admin.post(f"{base}/suggestions/{suggestion['_id']}/approve",
                              json={"answer": ANSWER})
        assert approved.status_code == 200, approved.text
        entry = approved.json()["knowledge"]
        assert (entry["question"], entry["answer"]) == (VETERANS, ANSWER)
        assert any(e["_id"] == entry["_id"] for e in admin.get(f"{base}/knowledge").json())
        again = admin.post(f"{base}/suggestions/{suggestion['_id']}/approve",
                           json={"answer": ANSWER})
        assert again.status_code == 409, again.text

        record = await place(api_server, company, [REWORDED])
        logged = await poll(lambda: call_log(admin, company, record.call_sid), bool,
                            "the reworded call's log")
        [turn] = [t for t in logged["transcript"] if t["callerText"] == REWORDED]
        assert (turn["tier"], turn["knowledgeId"]) == ("knowledge", entry["_id"])
        assert "ten percent" in turn["agentText"]

        report = await poll(lambda: admin.get(f"/api/learning/analytics/{company['_id']}").json(),
                            lambda r: r["funnel"]["answeredSince"] == 1, "the funnel")
        assert report["funnel"] | {"gaps": 2, "approved": 1, "open": 0} == report["funnel"]
        assert report["suggestions"] == []  # none open
        assert admin.get("/api/suggestions").status_code == 403


async def test_bad_decisions_are_clear_4xx_and_write_nothing(api_server, warm):
    with api_server.client(api_server.admin_token) as admin:
        company = new_company(admin, "Careful Air")
        base = f"/api/company/{company['_id']}"
        record = await place(api_server, company, ["Can you fix a pool heater?"])
        await poll(lambda: call_log(admin, company, record.call_sid), bool, "the call log")
        [suggestion] = await poll(lambda: admin.get(f"{base}/suggestions").json(), bool,
                                  "the suggestion")
        approve = f"{base}/suggestions/{suggestion['_id']}/approve"
        for body, status in (({"answer": ""}, 422), ({"answer": "x" * 2001}, 422),
                             ({"answer": "ok", "extra": 1}, 422), (None, 422)):
            response = admin.post(approve, json=body)
            assert response.status_code == status, response.text
        assert admin.post(f"{base}/suggestions/{'0' * 24}/approve",
                          json={"answer": "ok"}).status_code == 404
        assert admin.post(f"{base}/suggestions/nothex/reject").status_code == 400
        assert admin.get(f"{base}/knowledge").json() == []
        assert admin.get(f"{base}/suggestions").json()[0]["status"] == "open"
        rejected = admin.post(f"{base}/suggestions/{suggestion['_id']}/reject")
        assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
        assert admin.post(approve, json={"answer": "ok"}).status_code == 409
        assert admin.get(f"{base}/knowledge").json() == []


async def test_a_message_calls_summary_is_in_its_log_and_its_notification(api_server, warm):
    with api_server.client(api_server.admin_token) as admin:
        company = new_company(admin, "Summary Air")
        base = f"/api/company/{company['_id']}"
        admin.post(f"{base}/employees", json={"name": "Maria Lopez", "phone": unique_number(),
                                              "isOnCall": True})
        quiet_off = admin.patch(base, json={"notificationSettings": {
            "quietHours": {"enabled": False}}})
        assert quiet_off.status_code == 200, quiet_off.text
        caller = unique_number()
        record = await place(api_server, company, [
            "Can I talk to a real person please?",
            "This is Pat at 12 Palm Street, my AC is broken.",
            "yes"], caller=caller)  # the caller id is the number to call back
        logged = await poll(lambda: call_log(admin, company, record.call_sid), bool,
                            "the call log")
        summary = logged["summary"]
        assert summary.startswith(f"{caller} called"), summary
        assert "Left a message" in summary and "my AC is broken" in summary
        assert "real person" not in summary  # how the call went, not what it was about
        listed = admin.get(f"{base}/call-logs").json()["items"]
        assert [c["summary"] for c in listed] == [summary]

        sent = await poll(lambda: admin.get(f"{base}/notifications").json(), bool,
                          "the staff notification")
        assert all("Call summary: " in n["body"] and caller in n["body"] for n in sent)
