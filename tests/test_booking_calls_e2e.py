"""Booking by phone end to end: signed Twilio webhooks from the simulator, the real Serve app,
call actors with the booking flow, and the company's bookings read back through the API."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import ray

from loadtest.bench_calls import BOOKING_SCRIPT, BenchTenant
from loadtest.bench_turns import booking_round
from runtime.actors.pool import ensure_pool
from runtime.settings import Settings
from tests.ray_helpers import kill_and_wait
from tests.serve_fixtures import unique_number
from tests.test_calls_e2e import (
    ALWAYS_OPEN,
    ATLAS_VOICE,
    call,
    company_body,
    make_company,
    session_turns,
    simulator,
)

pytestmark = pytest.mark.ray



@pytest.fixture(scope="module")
def warm_pool(api_server):
    pool = ensure_pool(Settings(**api_server.settings))
    assert ray.get(pool.wait_warm.remote(120))


@pytest.fixture
def admin_client(api_server, warm_pool):
    with api_server.client(api_server.admin_token) as admin:
        yield admin


def new_company(admin, **extra) -> dict:
    """A fresh company (its calendar empty), open around the clock unless told otherwise."""
    return make_company(admin, company_body("Atlas Air", ATLAS_VOICE, **extra), [
        ("How much is a service call?", "Our diagnostic visit is $89, waived with the repair."),
    ])


def local_day(company: dict, days_ahead: int) -> datetime:
    zone = ZoneInfo(company["timezone"])
    return datetime.combine(datetime.now(zone).date() + timedelta(days=days_ahead), time(0), zone)


def bookings_on(admin, company: dict, day: datetime) -> list[dict]:
    iso = day.date().isoformat()
    response = admin.get(f"/api/company/{company['_id']}/bookings", params={"from": iso, "to": iso})
    assert response.status_code == 200, response.text
    return response.json()


def booked_by_staff(admin, company: dict, caller: str, start: datetime) -> dict:
    response = admin.post(f"/api/company/{company['_id']}/bookings", json={
        "start": start.isoformat(), "service": "Service visit", "customerName": "Pat",
        "customerPhone": caller, "address": "12 Palm Ave, Naples", "source": "console"})
    assert response.status_code == 201, response.text
    return response.json()


async def agent_lines(api_server, record) -> list[str]:
    return [t.agent_text for t in await session_turns(api_server, record.call_sid)]


async def logged_call(api_server, company: dict, call_sid: str) -> dict:
    path = f"/api/company/{company['_id']}/call-logs/{call_sid}"
    with api_server.client(api_server.admin_token) as client:
        for _ in range(60):  # the LogSink drains in the background; give it up to ~30 s
            logged = client.get(path)
            if logged.status_code == 200:
                return logged.json()
            await asyncio.sleep(0.5)
    raise AssertionError(f"call {call_sid} never reached the call log")


async def test_a_caller_books_a_visit_and_the_call_log_says_booked(api_server, admin_client):
    company, caller = new_company(admin_client), unique_number()
    record = await call(api_server, company, "Hi, I need to schedule an appointment",
                        "my AC is blowing warm air", "tomorrow morning", "the first one",
                        "Pat Doe", "12 Palm Avenue, Fort Myers", "yes", "yes",
                        "no that's all, bye", caller=caller)
    assert record.ok, record.errors
    lines = await agent_lines(api_server, record)
    assert any("I can do tomorrow at 8 AM or tomorrow at 9 AM" in line for line in lines)
    assert any(line.startswith("You're all set!") for line in lines)
    tomorrow = local_day(company, 1)
    [booking] = bookings_on(admin_client, company, tomorrow)
    assert booking["start"] == (tomorrow + timedelta(hours=8)).isoformat()
    assert (booking["customerName"], booking["customerPhone"], booking["address"]) == (
        "Pat Doe", caller, "12 Palm Avenue, Fort Myers")
    assert (booking["source"], booking["callSid"]) == ("phone", record.call_sid)
    assert booking["notes"] == "my AC is blowing warm air"
    logged = await logged_call(api_server, company, record.call_sid)
    assert logged["outcome"] == "booked" and logged["bookedService"] == "Service visit"
    assert datetime.fromisoformat(logged["bookedFor"]) == datetime.fromisoformat(booking["start"])
    started = datetime.fromisoformat(logged["startedAt"])  # UTC, with or without offset
    started = started if started.tzinfo else started.replace(tzinfo=UTC)
    # /analytics reads its days in the company's timezone: the call's local day.
    day = started.astimezone(ZoneInfo(company["timezone"])).date().isoformat()
    base, days = f"/api/company/{company['_id']}", {"from": day, "to": day}
    report = admin_client.get(f"{base}/analytics", params=days).json()
    assert report["outcomes"]["booked"] == 1 and report["totalCalls"] == 1
    performance = admin_client.get(f"{base}/agent-performance", params=days).json()
    assert performance["tierUsage"]["booking"] == 8  # every caller turn but the goodbye


async def test_a_caller_who_changes_the_time_is_booked_at_the_new_time(api_server, admin_client):
    company = new_company(admin_client)
    record = await call(api_server, company, "can I book a visit", "furnace tune-up",
                        "tomorrow morning", "first", "Pat", "12 Palm Ave", "yes",
                        "actually, can we do the day after tomorrow in the afternoon instead?",
                        "the second one", "yes", "bye")
    assert record.ok, record.errors
    assert bookings_on(admin_client, company, local_day(company, 1)) == []
    [booking] = bookings_on(admin_client, company, local_day(company, 2))
    assert booking["start"] == (local_day(company, 2) + timedelta(hours=13)).isoformat()


async def test_a_returning_caller_reschedules(api_server, admin_client):
    company, caller = new_company(admin_client), unique_number()
    tomorrow_ten = local_day(company, 1) + timedelta(hours=10)
    existing = booked_by_staff(admin_client, company, caller, tomorrow_ten)
    record = await call(api_server, company, "I need to reschedule my appointment",
                        "the day after tomorrow in the morning", "the first one", "bye",
                        caller=caller)
    assert record.ok, record.errors
    moved = admin_client.get(f"/api/company/{company['_id']}/bookings/{existing['_id']}").json()
    assert moved["start"] == (local_day(company, 2) + timedelta(hours=8)).isoformat()
    assert moved["status"] == "confirmed"
    logged = await logged_call(api_server, company, record.call_sid)
    assert logged["outcome"] == "booked"


async def test_a_returning_caller_cancels(api_server, admin_client):
    company, caller = new_company(admin_client), unique_number()
    start = local_day(company, 1) + timedelta(hours=10)
    existing = booked_by_staff(admin_client, company, caller, start)
    record = await call(api_server, company, "I want to cancel my appointment", "yes", "bye",
                        caller=caller)
    assert record.ok, record.errors
    lines = await agent_lines(api_server, record)
    assert any("Would you like me to cancel it?" in line for line in lines)
    booking = admin_client.get(f"/api/company/{company['_id']}/bookings/{existing['_id']}").json()
    assert booking["status"] == "cancelled"
    slots = admin_client.get(f"/api/company/{company['_id']}/availability",
                             params={"date": start.date().isoformat()}).json()["slots"]
    assert start.isoformat() in slots


async def test_a_visit_is_booked_after_hours_within_the_booking_windows(api_server, admin_client):
    # the office is closed every day (after hours whenever the suite runs), while visits can
    # still be booked nine to five: the booking windows are not the opening hours
    company = new_company(admin_client)
    windows = [{"day": d["day"], "start": "09:00", "end": "17:00"} for d in ALWAYS_OPEN]
    patched = admin_client.patch(f"/api/company/{company['_id']}", json={
        "agentSetup": {"operatingHours": [{**d, "enabled": False} for d in ALWAYS_OPEN]},
        "bookingSettings": {"windows": windows}})
    assert patched.status_code == 200, patched.text
    record = await call(api_server, company, "I'd like to book a repair",
                        "tomorrow afternoon", "the first", "Pat", "12 Palm Ave", "yes", "yes",
                        "bye")
    assert record.ok, record.errors
    turns = await session_turns(api_server, record.call_sid)
    assert "closed right now" in turns[0].agent_text  # the after-hours greeting
    [booking] = bookings_on(admin_client, company, local_day(company, 1))
    assert booking["start"] == (local_day(company, 1) + timedelta(hours=12)).isoformat()


async def test_an_emergency_in_the_middle_of_a_booking_goes_to_the_on_call_tech(
    api_server, admin_client
):
    company = new_company(admin_client)
    record = await call(api_server, company, "I want to book an appointment", "furnace repair",
                        "tomorrow morning", "wait, I smell gas in the basement")
    assert record.ok, record.errors
    assert record.transfers and record.transfers[0].numbers == (company["onCall"]["phone"],)
    turns = await session_turns(api_server, record.call_sid)
    assert [t.tier for t in turns if t.caller_text] == ["booking", "booking", "booking",
                                                         "emergency"]
    assert bookings_on(admin_client, company, local_day(company, 1)) == []


async def test_a_booking_goes_on_after_its_call_actor_dies_mid_flow(
    api_server, admin_client, redis_sync
):
    company, caller = new_company(admin_client), unique_number()
    async with simulator(api_server) as sim:
        live = await sim.start(to=company["number"], from_=caller, company_id=company["_id"])
        for utterance in ("I need to book a repair", "tomorrow morning", "the second one"):
            await live.speak(utterance)
        actor_name = redis_sync.hget(f"g:call:{live.record.call_sid}", "actor_name")
        await kill_and_wait(ray.get_actor(actor_name, namespace="clientsvia"))
        for utterance in ("Pat Doe", "12 Palm Ave", "yes", "yes", "bye"):
            await live.speak(utterance)
        record = await live.hang_up()
    assert record.ok, record.errors
    assert redis_sync.hget(f"g:call:{record.call_sid}", "actor_name") != actor_name
    [booking] = bookings_on(admin_client, company, local_day(company, 1))
    assert booking["start"] == (local_day(company, 1) + timedelta(hours=9)).isoformat()
    assert (booking["customerName"], booking["callSid"]) == ("Pat Doe", record.call_sid)


async def test_the_benchmark_booking_round_books_through_the_simulator(api_server, admin_client):
    company = new_company(admin_client)
    tenant = BenchTenant(company["_id"], company["number"], "HVAC")
    async with simulator(api_server) as sim:
        row = await booking_round(sim, [tenant], concurrency=2, target_calls=2)
    assert row["calls"] == 2 and row["failed_calls"] == 0 and row["ended_early"] == 0
    assert row["turn_webhook"]["n"] == 2 * len(BOOKING_SCRIPT)
    listed = admin_client.get(f"/api/company/{company['_id']}/bookings",
                              params={"to": local_day(company, 60).date().isoformat()}).json()
    assert 1 <= len(listed) <= 2  # racers for the same first time: one may be re-offered
