"""Bookings with a connected calendar: its busy times, events mirrored, and a calendar that
fails or hangs never blocking a booking (the event is retried by a later operation)."""

from datetime import timedelta

import pytest

from runtime.providers.calendar_double import OfflineCalendar
from tenancy.booking_desk import BookingDesk
from tenancy.models.booking import BookingUpdate
from tenancy.registry import CompanyRegistry
from tenancy.secrets import SecretBox
from tests.serve_fixtures import SECRET_KEY
from tests.test_bookings_store import FRIDAY, NOW, at, new_company, visit


@pytest.fixture
def registry(redis_async) -> CompanyRegistry:
    return CompanyRegistry(redis_async, SecretBox(SECRET_KEY))


async def calendar_desk(registry, calendar: OfflineCalendar, **settings):
    company = await new_company(registry, **settings)
    store = registry.tenant(company.id)
    return desk_for(store, company, calendar), store


def desk_for(store, company, calendar: OfflineCalendar) -> BookingDesk:
    """A desk as one request or call gets it (it stops asking a calendar that failed)."""
    return BookingDesk(store, company, clock=lambda: NOW, calendar=calendar,
                       calendar_timeout_s=0.2)


async def test_the_calendar_busy_times_are_not_offered_to_any_crew(registry):
    monday = FRIDAY + timedelta(days=3)
    calendar = OfflineCalendar(busy_spans=[(at(FRIDAY, 10), at(FRIDAY, 12)),
                                           (at(monday, 9), at(monday, 17))])
    desk, _ = await calendar_desk(registry, calendar, crews=3)
    free = await desk.availability(FRIDAY, "Repair")
    assert at(FRIDAY, 9) in free and at(FRIDAY, 12) in free
    assert not {at(FRIDAY, 9, 30), at(FRIDAY, 10), at(FRIDAY, 11, 30)} & set(free)
    later = await desk.next_free("Repair", at(FRIDAY, 16, 30), 1)
    assert later == [at(monday + timedelta(days=1), 9)]  # Monday is all busy
    assert calendar.requests == 1  # one free/busy request for the whole search


async def test_bookings_become_events_and_follow_moves_and_cancellations(registry):
    calendar = OfflineCalendar()
    desk, _ = await calendar_desk(registry, calendar)
    booking = await desk.create(visit(at(FRIDAY, 10)))
    [event] = calendar.events.values()
    assert booking.calendarEventId == event.id and event.id.startswith(booking.id)
    assert (event.start, event.end, event.timezone) == (
        at(FRIDAY, 10), at(FRIDAY, 11), "America/New_York")
    assert event.summary == "Repair: Pat Doe" and event.location == "12 Palm Ave, Fort Myers"
    assert (await desk.get(booking.id)).calendarEventId == event.id

    moved = await desk.change(booking.id, BookingUpdate(start=at(FRIDAY, 14)))
    [new_event] = calendar.events.values()
    assert new_event.id != event.id and new_event.start == at(FRIDAY, 14)
    assert moved.calendarEventId == new_event.id

    await desk.cancel(booking.id)
    assert calendar.events == {}
    assert (await desk.get(booking.id)).calendarEventId is None


@pytest.mark.parametrize("failure", ["error", "hang"])
async def test_a_failing_calendar_never_blocks_a_booking_and_is_caught_up_later(
    registry, failure
):
    calendar = OfflineCalendar(busy_spans=[(at(FRIDAY, 9), at(FRIDAY, 17))], failure=failure)
    desk, store = await calendar_desk(registry, calendar)
    assert at(FRIDAY, 10) in await desk.availability(FRIDAY, "Repair")  # company rules only
    first = await desk.create(visit(at(FRIDAY, 10)))
    assert first.calendarEventId is None and calendar.events == {}
    assert await store.calendar_pending.take(10) == [first.id]

    calendar.failure = "none"
    later = desk_for(store, await registry.get(store.company_id), calendar)  # the next request
    second = await later.create(visit(at(FRIDAY, 14), phone="+12395550101"))
    assert {e.start for e in calendar.events.values()} == {at(FRIDAY, 10), at(FRIDAY, 14)}
    assert (await desk.get(first.id)).calendarEventId is not None
    assert second.calendarEventId is not None
    assert await store.calendar_pending.take(10) == []


async def test_a_cancellation_the_calendar_missed_is_deleted_later(registry):
    calendar = OfflineCalendar()
    desk, store = await calendar_desk(registry, calendar)
    booking = await desk.create(visit(at(FRIDAY, 10)))
    calendar.failure = "error"
    await desk.cancel(booking.id)
    assert len(calendar.events) == 1 and await store.calendar_pending.take(10) == [booking.id]
    calendar.failure = "none"
    later = desk_for(store, await registry.get(store.company_id), calendar)
    await later.create(visit(at(FRIDAY, 10) + timedelta(hours=4), phone="+12395550102"))
    assert [e.start for e in calendar.events.values()] == [at(FRIDAY, 14)]


async def test_a_hanging_calendar_costs_one_timeout_however_many_days_are_searched(registry):
    calendar = OfflineCalendar(failure="hang")
    desk, _ = await calendar_desk(registry, calendar)
    offers = await desk.next_free("Repair", at(FRIDAY, 17), 2)  # the weekend is searched too
    assert offers == [at(FRIDAY + timedelta(days=3), 9), at(FRIDAY + timedelta(days=3), 10)]
    booking = await desk.create(visit(offers[0]))
    assert booking.calendarEventId is None and calendar.requests == 1
