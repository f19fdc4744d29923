"""Repeated Twilio webhooks never claim a second call slot (issue 13, items 1, 2 and 13).

A Twilio retry, a replayed signed request, or a company signing with its own token can send
the incoming-call webhook for a live CallSid again. It must get the live call's current
answer (or a refusal), never a second actor; one tenant's flood of calls must leave
another tenant's calls answered; and a retried turn is taken once, also after a takeover.
"""

from __future__ import annotations

import asyncio
import secrets

import pytest

from tests.ray_helpers import kill_and_wait
from tests.twilio_webhooks import (
    actor_of,
    company,
    describe_call,
    hang_up,
    incoming,
    new_call_sid,
    stats,
)

pytestmark = pytest.mark.ray


@pytest.fixture(scope="module")
def tenants(api_server):
    with api_server.client(api_server.admin_token) as admin:
        return {"atlas": company(admin, "Idempotent Air"),
                "bayside": company(admin, "Neighbour Plumbing"),
                "small": company(admin, "Two Lines HVAC", maxConcurrentCalls=2)}


async def test_the_same_incoming_webhook_500_times_leaves_one_live_call(
        tenants, call_pool, twilio):
    atlas, call_sid = tenants["atlas"], new_call_sid()
    params = incoming(atlas, call_sid)
    before = await stats(call_pool)
    first = await twilio.post("/api/twilio/voice", params)
    assert "<Gather" in first.text
    for _ in range(499 // 20 + 1):  # bursts of 20 at once, like a retry storm
        repeats = await asyncio.gather(*(twilio.post("/api/twilio/voice", params)
                                         for _ in range(20)))
        assert {r.text for r in repeats} == {first.text}  # the live call's greeting again
    during = await stats(call_pool)
    assert during["active"] == before["active"] + 1
    assert during["created"] - before["created"] <= 1  # the warm refill for the one call
    assert during["refused"] == before["refused"]

    turn = await twilio.post(f"/api/twilio/calls/{atlas['_id']}/turn",
                             {**params, "SpeechResult": "hello", "Confidence": "0.9"})
    assert "<Gather" in turn.text or "<Redirect" in turn.text
    await hang_up(twilio, atlas, call_sid)
    assert (await stats(call_pool))["active"] == before["active"]

    replayed = await twilio.post("/api/twilio/voice", params)  # after the end: no new call
    assert "<Hangup" in replayed.text and "<Gather" not in replayed.text
    assert (await stats(call_pool))["active"] == before["active"]


async def test_another_company_cannot_take_a_live_call_sid(tenants, call_pool, twilio):
    atlas, bayside, call_sid = tenants["atlas"], tenants["bayside"], new_call_sid()
    params = incoming(atlas, call_sid)
    await twilio.post(f"/api/twilio/webhook/{atlas['_id']}", params)
    before = await stats(call_pool)
    hijack = await twilio.post(f"/api/twilio/webhook/{bayside['_id']}",
                               {**params, "To": bayside["number"]})
    assert "cannot be connected" in hijack.text and "<Gather" not in hijack.text
    assert (await stats(call_pool))["active"] == before["active"]
    turn = await twilio.post(f"/api/twilio/calls/{atlas['_id']}/turn",
                             {**params, "SpeechResult": "hello", "Confidence": "0.9"})
    assert "Sorry, we lost track" not in turn.text
    await hang_up(twilio, atlas, call_sid)


async def test_a_tenant_at_its_ceiling_leaves_other_tenants_answered(
        tenants, call_pool, twilio):
    small, bayside = tenants["small"], tenants["bayside"]
    calls = [new_call_sid() for _ in range(3)]
    answers = [await twilio.post("/api/twilio/voice", incoming(small, sid)) for sid in calls]
    assert ["<Gather" in a.text for a in answers] == [True, True, False]
    assert "<Dial" in answers[2].text  # forwarded to the office rather than dropped
    other = new_call_sid()
    assert "<Gather" in (await twilio.post("/api/twilio/voice", incoming(bayside, other))).text
    for sid in calls[:2]:
        await hang_up(twilio, small, sid)
    await hang_up(twilio, bayside, other)
    again = await twilio.post("/api/twilio/voice", incoming(small, new_call_sid()))
    assert "<Gather" in again.text  # the ended calls gave their slots back


async def test_a_retried_turn_is_answered_once(api_server, tenants, call_pool, twilio):
    atlas, call_sid = tenants["atlas"], new_call_sid()
    params = incoming(atlas, call_sid)
    await twilio.post("/api/twilio/voice", params)
    turn = {**params, "SpeechResult": "what are your hours", "Confidence": "0.9"}
    path = f"/api/twilio/calls/{atlas['_id']}/turn"
    token = "idem-" + secrets.token_hex(8)
    first = await twilio.post(path, turn, **{"I-Twilio-Idempotency-Token": token})
    retried = await twilio.post(path, turn, **{"I-Twilio-Idempotency-Token": token})
    assert retried.text == first.text
    described = await describe_call(api_server, call_sid)
    assert described["turn_count"] == 1  # Twilio's retry did not take the turn again
    await twilio.post(path, turn, **{"I-Twilio-Idempotency-Token": token + "-next"})
    # a new request is a new turn
    assert (await describe_call(api_server, call_sid))["turn_count"] == 2
    await hang_up(twilio, atlas, call_sid)


async def test_a_turn_replayed_after_a_takeover_counts_once(
        api_server, tenants, call_pool, twilio):
    """The actor took the turn and checkpointed it, then died before its reply got out: the
    gateway's retry on the replacement actor replays the answer instead of a second turn."""
    atlas, call_sid = tenants["atlas"], new_call_sid()
    params = incoming(atlas, call_sid)
    await twilio.post("/api/twilio/voice", params)
    token = "idem-" + secrets.token_hex(8)
    first_actor = await actor_of(api_server, call_sid)
    lost = await first_actor.turn.remote(call_sid, "what are your hours", 0.9, token)
    await kill_and_wait(first_actor)  # the reply above never reached Twilio

    retried = await twilio.post(f"/api/twilio/calls/{atlas['_id']}/turn",
                                {**params, "SpeechResult": "what are your hours",
                                 "Confidence": "0.9"}, **{"I-Twilio-Idempotency-Token": token})
    described = await describe_call(api_server, call_sid)
    assert described["restored"] and described["turn_count"] == 1
    assert [text for role, text in described["history"] if role == "caller"] == [
        "what are your hours"]
    assert lost.utterances[0].text in retried.text  # the same answer, said again
    await hang_up(twilio, atlas, call_sid)
