"""The bookings week and the inbox: grouped in the company's days, changed as the API does."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from runtime.serve.console.data.bookings_page import (
    bookings_week,
    cancel_booking,
    week_columns,
    week_start,
)
from runtime.serve.console.data.inbox_page import (
    inbox_view,
    notifications_view,
    set_message_status,
)
from runtime.serve.routers.bookings import company_desk
from tenancy.models import CompanyProfile
from tenancy.models.booking import Booking, BookingFields
from tenancy.models.messages import MessageFields, NotificationFields
from tests.serve_fixtures import next_weekday_at

NEW_YORK = ZoneInfo("America/New_York")


def booking(start: datetime, service: str = "Repair") -> Booking:
    return Booking(start=start, end=start + timedelta(hours=1), service=service,
                   customerName="Dana", customerPhone="+12395550111",
                   address="12 Palm Ave, Fort Myers")


@pytest.mark.parametrize(("day", "monday"), [(date(2026, 3, 2), date(2026, 3, 2)),
                                             (date(2026, 3, 8), date(2026, 3, 2)),
                                             (date(2026, 3, 9), date(2026, 3, 9))])
def test_a_week_starts_on_monday(day, monday):
    assert week_start(day) == monday


def test_bookings_fall_on_their_local_day_in_time_order():
    late_sunday_local = datetime(2026, 3, 9, 3, 30, tzinfo=UTC)  # 23:30 Sunday in New York
    columns = week_columns([booking(datetime(2026, 3, 3, 16, 0, tzinfo=UTC), "Second"),
                            booking(datetime(2026, 3, 3, 14, 0, tzinfo=UTC), "First"),
                            booking(late_sunday_local)], date(2026, 3, 2), NEW_YORK)
    assert [c.day.isoformat() for c in columns][::6] == ["2026-03-02", "2026-03-08"]
    assert [card.service for card in columns[1].bookings] == ["First", "Second"]
    assert columns[1].bookings[0].time == "09:00–10:00"
    assert [card.time for card in columns[6].bookings] == ["23:30–00:30"]
    assert columns[1].label == "Tue 03 Mar"


async def test_the_week_lists_its_bookings_and_cancel_frees_the_slot(services):
    company = await services.registry.create(CompanyProfile(companyName="Week Air"))
    desk = await company_desk(services, company.id)
    start = next_weekday_at(10, after_days=3)
    service = desk.schedule.settings.services[0].name
    made = await desk.create(BookingFields(start=start, service=service, customerName="Dana",
                                           customerPhone="+12395550111",
                                           address="12 Palm Ave, Fort Myers"))
    week = await bookings_week(services, company.id, start.date())
    column = next(c for c in week.columns if c.day == start.date())
    assert [card.booking_id for card in column.bookings] == [made.id]
    assert column.bookings[0].cancellable
    assert week.previous == week.monday - timedelta(days=7)

    assert desk.schedule.settings.crews == 1  # so the booking holds the only crew
    assert start not in await desk.availability(start.date(), service)
    cancelled = await cancel_booking(services, company.id, made.id)
    assert cancelled.status == "cancelled"
    assert start in await desk.availability(start.date(), service)
    again = await bookings_week(services, company.id, start.date())
    card = next(c for c in again.columns if c.day == start.date()).bookings[0]
    assert (card.status, card.cancellable) == ("cancelled", False)


async def test_inbox_newest_first_filters_and_marks_handled(services):
    company = await services.registry.create(CompanyProfile(companyName="Inbox Air"))
    store = services.registry.tenant(company.id)
    first = await store.messages.add(MessageFields(callSid="CA1", text="Leak under sink"))
    second = await store.messages.add(MessageFields(callSid="CA2", text="Quote please",
                                                    urgent=True))
    view = await inbox_view(services, company.id, None)
    assert [m.id for m in view.messages] == [second.id, first.id] and view.new_count == 2

    await set_message_status(services, company.id, first.id, "handled")
    new = await inbox_view(services, company.id, "new")
    handled = await inbox_view(services, company.id, "handled")
    assert [m.id for m in new.messages] == [second.id] and new.new_count == 1
    assert [m.id for m in handled.messages] == [first.id] and handled.new_count == 1


async def test_notifications_newest_first_and_only_the_companys(services):
    mine = await services.registry.create(CompanyProfile(companyName="Notify Air"))
    other = await services.registry.create(CompanyProfile(companyName="Other Air"))
    for company, body in ((mine, "first"), (other, "theirs"), (mine, "second")):
        await services.registry.tenant(company.id).notifications.add(NotificationFields(
            channel="sms", to="+12395550123", body=body, reason="message"))
    assert [n.body for n in await notifications_view(services, mine.id)] == ["second", "first"]
