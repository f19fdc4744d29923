"""Bookings against a real redis-server: the company's rules, free slots and no double booking."""

import asyncio
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import redis.asyncio as aioredis

from tenancy.booking_desk import BookingDesk
from tenancy.bookings import SlotTaken
from tenancy.errors import Conflict, InvalidDocument, NotFound
from tenancy.models import Company, CompanyProfile
from tenancy.models.booking import BookingFields, BookingUpdate
from tenancy.registry import CompanyRegistry
from tenancy.scheduling import BookingRejected
from tenancy.secrets import SecretBox
from tests.serve_fixtures import SECRET_KEY

NY = ZoneInfo("America/New_York")
NOW = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)  # Thursday 10:00 in New York
FRIDAY = date(2026, 12, 4)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=NY)


@pytest.fixture
def registry(redis_async: aioredis.Redis) -> CompanyRegistry:
    # the API's key, so the platform company list can still read these companies
    return CompanyRegistry(redis_async, SecretBox(SECRET_KEY))


async def new_company(registry: CompanyRegistry, **booking_settings) -> Company:
    return await registry.create(CompanyProfile(
        companyName="Atlas Air", timezone="America/New_York",
        bookingSettings={"services": [{"name": "Repair", "durationMinutes": 60},
                                      {"name": "Install", "durationMinutes": 180}],
                         **booking_settings},
    ))


async def new_desk(registry: CompanyRegistry, **booking_settings) -> BookingDesk:
    company = await new_company(registry, **booking_settings)
    return BookingDesk(registry.tenant(company.id), company, clock=lambda: NOW)


def visit(start: datetime, service: str = "Repair", phone: str = "+12395550100") -> BookingFields:
    return BookingFields(start=start, service=service, customerName="Pat Doe",
                         customerPhone=phone, address="12 Palm Ave, Fort Myers")


async def test_free_starts_follow_hours_granularity_and_lead_time(registry):
    desk = await new_desk(registry)
    friday = await desk.availability(FRIDAY, "Repair")
    assert friday[0] == at(FRIDAY, 9) and friday[-1] == at(FRIDAY, 16)
    assert len(friday) == 15  # 9:00 .. 16:00 every 30 minutes
    today = await desk.availability(NOW.date(), "repair")
    assert today[0] == at(NOW.date(), 12)  # two hours' notice from 10:00
    assert await desk.availability(date(2026, 12, 5), "Repair") == []  # Saturday: closed
    assert all(slot.utcoffset() == timedelta(hours=-5) for slot in friday)


async def test_a_booking_takes_its_crew_for_the_visit_and_the_buffer(registry):
    desk = await new_desk(registry, bufferMinutes=30)
    booking = await desk.create(visit(at(FRIDAY, 10)))
    assert booking.end == at(FRIDAY, 11) and booking.start.utcoffset() == timedelta(hours=-5)
    free = await desk.availability(FRIDAY, "Repair")
    # 9:00 would run into 10:00 with its buffer; 11:00 is inside 10:00's buffer
    for taken in (9, 10, 11):
        assert at(FRIDAY, taken) not in free
    assert at(FRIDAY, 11, 30) in free


@pytest.mark.parametrize("start, service, words", [
    (at(date(2026, 12, 2), 10), "Repair", "past"),
    (at(date(2026, 12, 5), 10), "Repair", "outside the booking windows"),  # Saturday
    (at(FRIDAY, 16, 30), "Repair", "outside the booking windows"),  # runs past 17:00
    (at(FRIDAY, 15), "Install", "outside the booking windows"),
    (at(FRIDAY, 7), "Repair", "outside the booking windows"),
    (at(date(2027, 6, 1), 10), "Repair", "days ahead"),
    (at(FRIDAY, 10), "Roof", "unknown service"),
])
async def test_visits_against_the_rules_are_refused_and_nothing_is_written(
    registry, start, service, words
):
    desk = await new_desk(registry)
    with pytest.raises(BookingRejected, match=words):
        await desk.create(visit(start, service))
    assert await desk.listing(date(2026, 12, 1), date(2027, 7, 1)) == []


async def test_closed_dates_and_custom_windows_replace_operating_hours(registry):
    desk = await new_desk(registry, closedDates=["2026-12-04"],
                          windows=[{"day": "saturday", "start": "08:00", "end": "12:00"}])
    assert await desk.availability(FRIDAY, "Repair") == []
    saturday = await desk.availability(date(2026, 12, 5), "Repair")
    assert saturday[0] == at(date(2026, 12, 5), 8) and saturday[-1] == at(date(2026, 12, 5), 11)
    with pytest.raises(BookingRejected, match="closed"):
        await desk.create(visit(at(FRIDAY, 10)))


def test_a_start_without_utc_offset_is_refused():
    with pytest.raises(ValueError, match="UTC offset"):
        visit(datetime(2026, 12, 4, 10))


@pytest.mark.parametrize("crews", [1, 2, 3])
async def test_callers_racing_for_the_last_slot_get_exactly_the_free_crews(
    registry, redis_async, crews
):
    desk = await new_desk(registry, crews=crews)
    # open a connection per racer first, so no racer finishes while others still connect
    await asyncio.gather(*(redis_async.ping() for _ in range(12)))
    racers = [desk.create(visit(at(FRIDAY, 10), phone=f"+1239555{n:04d}")) for n in range(12)]
    results = await asyncio.gather(*racers, return_exceptions=True)
    booked = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, BaseException)]
    assert len(booked) == crews
    assert all(isinstance(error, SlotTaken) for error in refused)
    assert len(await desk.listing(FRIDAY, FRIDAY)) == crews
    assert at(FRIDAY, 10) not in await desk.availability(FRIDAY, "Repair")


async def test_overlapping_visits_count_against_capacity_not_just_equal_starts(registry):
    desk = await new_desk(registry, crews=2)
    await desk.create(visit(at(FRIDAY, 9), "Install"))  # 9:00-12:00
    await desk.create(visit(at(FRIDAY, 11)))  # 11:00-12:00: two crews busy at 11
    with pytest.raises(SlotTaken):
        await desk.create(visit(at(FRIDAY, 11, 30)))
    await desk.create(visit(at(FRIDAY, 10)))  # 10:00-11:00 fits beside the install


async def test_reschedule_moves_the_visit_and_frees_the_old_time(registry):
    desk = await new_desk(registry)
    booking = await desk.create(visit(at(FRIDAY, 10)))
    other = await desk.create(visit(at(FRIDAY, 14), phone="+12395550199"))
    moved = await desk.change(booking.id, BookingUpdate(start=at(FRIDAY, 10, 30)))
    assert (moved.start, moved.end) == (at(FRIDAY, 10, 30), at(FRIDAY, 11, 30))
    free = await desk.availability(FRIDAY, "Repair")
    assert at(FRIDAY, 9) in free and at(FRIDAY, 11) not in free
    with pytest.raises(SlotTaken):
        await desk.change(booking.id, BookingUpdate(start=at(FRIDAY, 14, 30)))
    assert (await desk.get(booking.id)).start == at(FRIDAY, 10, 30)
    assert (await desk.get(other.id)).start == at(FRIDAY, 14)


async def test_cancel_keeps_the_record_and_frees_the_crew(registry):
    desk = await new_desk(registry)
    booking = await desk.create(visit(at(FRIDAY, 10)))
    assert await desk.upcoming_for("+12395550100") == [booking]
    cancelled = await desk.change(booking.id, BookingUpdate(status="cancelled"))
    assert cancelled.status == "cancelled"
    assert at(FRIDAY, 10) in await desk.availability(FRIDAY, "Repair")
    assert await desk.upcoming_for("+12395550100") == []
    assert [b.status for b in await desk.listing(FRIDAY, FRIDAY)] == ["cancelled"]
    with pytest.raises(Conflict, match="cancelled"):
        await desk.change(booking.id, BookingUpdate(notes="call first"))
    await desk.create(visit(at(FRIDAY, 10), phone="+12395550111"))


async def test_bad_edits_leave_the_booking_as_it_was(registry):
    desk = await new_desk(registry)
    booking = await desk.create(visit(at(FRIDAY, 10)))
    with pytest.raises(BookingRejected):
        await desk.change(booking.id, BookingUpdate(start=at(FRIDAY, 20)))
    with pytest.raises(InvalidDocument):
        await desk.change(booking.id, BookingUpdate.model_validate({"customerName": None}))
    assert await desk.get(booking.id) == booking


async def test_next_free_skips_to_the_next_open_day_and_spaces_the_offers(registry):
    desk = await new_desk(registry)
    late_friday = at(FRIDAY, 15, 45)
    offers = await desk.next_free("Repair", late_friday, 2)
    assert offers == [at(FRIDAY, 16), at(date(2026, 12, 7), 9)]  # Monday after the weekend
    assert await desk.next_free("Repair", at(FRIDAY, 9), 2) == [at(FRIDAY, 9), at(FRIDAY, 10)]


async def test_booking_keys_stay_in_the_company_namespace(registry, redis_async):
    company = await new_company(registry)
    desk = BookingDesk(registry.tenant(company.id), company, clock=lambda: NOW)
    booking = await desk.create(visit(at(FRIDAY, 10)))
    keys = [k async for k in redis_async.scan_iter(match=f"*{company.id}*")]
    assert {k.removeprefix(f"t:{company.id}:") for k in keys} >= {
        "bookings", "bookings:calendar", "bookings:spans"}
    assert all(k.startswith(f"t:{company.id}:") for k in keys)
    other = await new_desk(registry)
    assert await other.listing(FRIDAY, FRIDAY) == []
    with pytest.raises(NotFound):
        await other.get(booking.id)


async def test_a_stale_version_is_never_written_over_a_newer_change(registry):
    company = await new_company(registry)
    book = registry.tenant(company.id).bookings
    desk = BookingDesk(registry.tenant(company.id), company, clock=lambda: NOW)
    booking = await desk.create(visit(at(FRIDAY, 10)))
    edited = await desk.change(booking.id, BookingUpdate(notes="gate code 1234"))
    stale = booking.model_copy(update={"calendarEventId": "stale"})
    assert not await book.replace(booking, stale)  # `booking` is no longer what is stored
    assert (await desk.get(booking.id)).notes == "gate code 1234"
    assert await book.replace(edited, edited.model_copy(update={"calendarEventId": "evt1"}))
    assert (await desk.get(booking.id)).calendarEventId == "evt1"


async def test_a_move_of_a_booking_cancelled_meanwhile_is_refused(registry):
    company = await new_company(registry)
    book = registry.tenant(company.id).bookings
    desk = BookingDesk(registry.tenant(company.id), company, clock=lambda: NOW)
    booking = await desk.create(visit(at(FRIDAY, 10)))
    await desk.cancel(booking.id)
    moved = booking.model_copy(update={"start": at(FRIDAY, 14), "end": at(FRIDAY, 15)})
    with pytest.raises(Conflict, match="changed meanwhile"):
        await book.reserve(moved, (at(FRIDAY, 14), at(FRIDAY, 15)), 1, replacing=booking)
    assert (await desk.get(booking.id)).status == "cancelled"
    assert at(FRIDAY, 14) in await desk.availability(FRIDAY, "Repair")
    with pytest.raises(Conflict, match="changed meanwhile"):  # and a stale cancellation too
        await book.release(booking, booking.model_copy(update={"status": "cancelled"}))
