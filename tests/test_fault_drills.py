"""Fault drills during live calls (issue 13): SIGKILL the call pool, SIGKILL a call actor.

Zero calls dropped without an apology: every live call's next webhook is answered by the
agent with the conversation intact, new calls are answered, and the call log has every
turn exactly once.
"""

from __future__ import annotations

import asyncio
import os
import signal

import pytest
import ray
import redis.asyncio as aioredis

from tenancy.users import Role
from tests.twilio_webhooks import (
    Twilio,
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
def drill_company(api_server):
    with api_server.client(api_server.admin_token) as admin:
        return company(admin, "Drill Heating")


async def say(twilio: Twilio, target: dict, call_sid: str, words: str) -> str:
    response = await twilio.post(f"/api/twilio/calls/{target['_id']}/turn", {
        **incoming(target, call_sid), "SpeechResult": words, "Confidence": "0.9"})
    assert "lost track" not in response.text and "cannot take your call" not in response.text
    return response.text


async def wait_for_new_process(pool, old_pid: int, timeout_s: float = 60.0) -> int:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while loop.time() < deadline:
        try:
            pid = await asyncio.wait_for(pool.pid.remote(), 10)
        except (ray.exceptions.RayActorError, TimeoutError):
            pid = old_pid
        if pid != old_pid:
            return pid
        await asyncio.sleep(0.2)
    raise AssertionError("the call pool did not come back")


async def test_live_calls_survive_a_sigkilled_call_pool(
        api_server, drill_company, call_pool, twilio):
    calls = [new_call_sid() for _ in range(2)]
    for sid in calls:
        assert "<Gather" in (await twilio.post("/api/twilio/voice",
                                               incoming(drill_company, sid))).text
        await say(twilio, drill_company, sid, "hello there")
    before = await stats(call_pool)

    old_pid = await call_pool.pid.remote()
    os.kill(old_pid, signal.SIGKILL)
    await wait_for_new_process(call_pool, old_pid)

    after = await stats(call_pool)
    assert after["active"] == before["active"]  # the restarted pool adopted the live calls
    for sid in calls:
        await say(twilio, drill_company, sid, "are you still there")
        described = await describe_call(api_server, sid)
        assert described["turn_count"] == 2 and not described["restored"]
    fresh = new_call_sid()
    assert "<Gather" in (await twilio.post("/api/twilio/voice",
                                           incoming(drill_company, fresh))).text
    for sid in [*calls, fresh]:
        await hang_up(twilio, drill_company, sid)
    assert (await stats(call_pool))["active"] == before["active"] - 2


async def test_a_sigkilled_call_actor_loses_no_turn(api_server, drill_company, call_pool, twilio):
    call_sid = new_call_sid()
    await twilio.post("/api/twilio/voice", incoming(drill_company, call_sid))
    await say(twilio, drill_company, call_sid, "how much is a service call")
    described = await describe_call(api_server, call_sid)
    actor_pid = await _actor_pid(api_server, call_sid)
    os.kill(actor_pid, signal.SIGKILL)

    await say(twilio, drill_company, call_sid, "do you service heat pumps")
    after = await describe_call(api_server, call_sid)
    assert after["restored"] and after["turn_count"] == described["turn_count"] + 1
    assert [text for role, text in after["history"] if role == "caller"] == [
        "how much is a service call", "do you service heat pumps"]
    await hang_up(twilio, drill_company, call_sid)

    assert await logged_turns(api_server, drill_company, call_sid) == [0, 1, 2]


async def logged_turns(api_server, company: dict, call_sid: str) -> list[int]:
    """The turn indexes of the call's log, once the LogSink has written it (it drains in
    the background, and reconnects after a Redis restart)."""
    token = api_server.token(Role.COMPANY_VIEWER, company["_id"])
    path = f"/api/company/{company['_id']}/call-logs/{call_sid}"
    with api_server.client(token) as client:
        for _ in range(120):
            logged = client.get(path)
            if logged.status_code == 200:
                break
            await asyncio.sleep(0.5)
    assert logged.status_code == 200, logged.text
    return [turn["turnIndex"] for turn in logged.json()["transcript"]]


async def _actor_pid(api_server, call_sid: str) -> int:
    return int((await (await actor_of(api_server, call_sid)).describe.remote())["pid"])


async def test_a_redis_crash_mid_call_drops_no_call_and_no_event(
        api_server, redis_server, drill_company, call_pool, twilio):
    """SIGKILL the Redis holding tenants, calls and the event stream, between two turns of a
    live call, and start it again from its AOF: the call goes on and logs every turn once."""
    admin = aioredis.Redis.from_url(redis_server.url)
    await admin.config_set("appendfsync", "always")  # acknowledged writes are on disk
    await admin.aclose()
    call_sid = new_call_sid()
    await twilio.post("/api/twilio/voice", incoming(drill_company, call_sid))
    await say(twilio, drill_company, call_sid, "how much is a service call")

    redis_server.process.kill()
    redis_server.process.wait()
    redis_server.start()  # same port and folder

    await say(twilio, drill_company, call_sid, "do you service heat pumps")
    await hang_up(twilio, drill_company, call_sid)
    assert await logged_turns(api_server, drill_company, call_sid) == [0, 1, 2]
