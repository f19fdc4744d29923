"""The call-log pages' data: the API's query code, company-local times, what a call made."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from analytics.events import (
    AppointmentBooked,
    CallEnded,
    CallNotTaken,
    CallStarted,
    TurnRecorded,
)
from runtime.serve.console.data.call_pages import (
    PAGE_SIZE,
    call_detail,
    call_list,
    call_row,
    duration_label,
    pager,
)
from runtime.serve.errors import ApiError
from runtime.serve.routers.bookings import company_desk
from tenancy.models.booking import BookingFields
from tenancy.models.messages import MessageFields
from tests.analytics.ingest import ingest
from tests.serve_fixtures import next_weekday_at

NEW_YORK = ZoneInfo("America/New_York")
WEEK = {"dateFrom": "2026-03-02", "dateTo": "2026-03-08"}


def ended_calls(events, company_id):
    return [e for e in events if isinstance(e, CallEnded) and e.company_id == company_id
            and "2026-03-02" <= e.started_at.astimezone(NEW_YORK).date().isoformat()
            <= "2026-03-08"]


@pytest.mark.parametrize(("seconds", "label"), [(None, "—"), (0, "0:00"), (65.4, "1:05"),
                                                (3599.6, "60:00")])
def test_durations_read_as_minutes_and_seconds(seconds, label):
    assert duration_label(seconds) == label


def test_a_row_shows_the_company_local_time_and_day():
    row = call_row({"callSid": "CA1", "startedAt": "2026-03-03T03:30:00Z", "outcome": "booked",
                    "callerNumber": "+12395550100", "durationSeconds": 42.0, "turnCount": 3},
                   NEW_YORK)
    assert (row.started, row.day, row.outcome_label, row.duration) == (
        "2026-03-02 22:30", "2026-03-02", "Booked", "0:42")


def test_pager_knows_its_neighbours():
    assert (pager(0, 1, 25).pages, pager(0, 1, 25).next) == (1, None)
    middle = pager(60, 2, 25)
    assert (middle.pages, middle.previous, middle.next) == (3, 1, 3)


async def test_call_list_pages_one_company_newest_first(services, company_calls):
    atlas, _, events = company_calls
    expected = ended_calls(events, atlas)
    rows, pages = await call_list(services, atlas, NEW_YORK, dict(WEEK))
    assert pages.total == len(expected) > PAGE_SIZE
    assert len(rows) == PAGE_SIZE
    assert [r.started for r in rows] == sorted((r.started for r in rows), reverse=True)
    seen = {r.call_sid for r in rows}
    for page in range(2, pages.pages + 1):
        more, _ = await call_list(services, atlas, NEW_YORK, {**WEEK, "page": page})
        seen |= {r.call_sid for r in more}
    assert seen == {e.call_sid for e in expected}


async def test_call_list_filters_by_outcome_and_refuses_bad_dates(services, company_calls):
    atlas, _, events = company_calls
    booked = [e for e in ended_calls(events, atlas) if e.outcome == "booked"]
    rows, pages = await call_list(services, atlas, NEW_YORK, {**WEEK, "outcome": "booked"})
    assert pages.total == len(booked) and {r.outcome for r in rows} == {"booked"}
    with pytest.raises(ApiError) as refused:
        await call_list(services, atlas, NEW_YORK, {"dateFrom": "2026-02-30"})
    assert refused.value.status == 400


async def test_call_detail_has_the_transcript_and_only_the_companys_calls(services,
                                                                          company_calls):
    atlas, bayside, events = company_calls
    call = next(e for e in ended_calls(events, atlas) if e.turn_count > 2)
    detail = await call_detail(services, atlas, NEW_YORK, call.call_sid, None)
    assert detail is not None
    assert [t["turnIndex"] for t in detail.transcript] == list(range(call.turn_count))
    assert detail.row.outcome == call.outcome and detail.booking is None
    other = next(e for e in events if isinstance(e, CallEnded) and e.company_id == bayside)
    assert await call_detail(services, atlas, NEW_YORK, other.call_sid, None) is None


async def test_call_detail_links_the_booking_and_message_the_call_made(services, company_calls,
                                                                       redis_async):
    atlas = company_calls[0]
    visit = next_weekday_at(10, after_days=3)
    sid, started = "CAconsolebooking0001", datetime.now(UTC) - timedelta(minutes=5)
    base = {"company_id": atlas, "call_sid": sid, "started_at": started}
    await ingest(redis_async, services.settings.parquet_root, [
        CallStarted(**base, caller_number="+12395550111", called_number="+12395550100"),
        TurnRecorded(**base, turn_index=0, at=started, caller_text="Book a tune-up",
                     agent_text="Booked.", tier="booking", total_ms=5, match_ms=1),
        AppointmentBooked(**base, turn_index=0, at=started, service="Tune-up",
                          scheduled_for=visit),
        CallEnded(**base, outcome="booked", duration_s=61, turn_count=1,
                  ended_at=started + timedelta(seconds=61)),
    ])
    desk = await company_desk(services, atlas)
    service = desk.schedule.settings.services[0].name
    booking = await desk.create(BookingFields(
        start=visit, service=service, customerName="Dana Reyes", customerPhone="+12395550111",
        address="12 Palm Ave, Fort Myers", callSid=sid))
    store = services.registry.tenant(atlas)
    await store.messages.add(MessageFields(callSid="CAsomeoneelse", text="Not this call"))
    message = await store.messages.add(MessageFields(callSid=sid, text="Call back about filters"))

    detail = await call_detail(services, atlas, NEW_YORK, sid, started.date().isoformat())
    assert detail is not None
    assert detail.booking is not None and detail.booking.id == booking.id
    assert detail.message is not None and detail.message.id == message.id
    assert detail.row.duration == "1:01"


async def test_a_call_no_agent_took_is_listed_with_why_and_opens_without_a_transcript(
        services, company_calls, redis_async):
    atlas = company_calls[0]
    sid, started = "CAconsolenottaken001", datetime(2026, 3, 4, 7, 5, tzinfo=UTC)
    await ingest(redis_async, services.settings.parquet_root, [CallNotTaken(
        company_id=atlas, call_sid=sid, started_at=started, caller_number="+12395550112",
        called_number="+12395550100", reason="no_idle_actor")])
    rows, pages = await call_list(services, atlas, NEW_YORK, {**WEEK, "outcome": "not_taken"})
    assert pages.total == 1 and [(r.call_sid, r.started) for r in rows] == [
        (sid, "2026-03-04 02:05")]
    assert rows[0].outcome_label == "Not taken (no agent free)"
    detail = await call_detail(services, atlas, NEW_YORK, sid, "2026-03-04")
    assert detail is not None and detail.transcript == [] and detail.row.duration == "—"
    assert detail.call["summary"] == ("+12395550112 called. Not taken: all lines were busy; "
                                      "the caller heard an apology.")
