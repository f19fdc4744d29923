"""The bookings calendar: one company-local week, Monday to Sunday, a column per day.

Reads and cancels through the company's `BookingDesk` (what the bookings API runs), so
a cancel from the console frees the slot and updates a connected calendar just the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from runtime.serve.routers.bookings import company_desk
from runtime.serve.services import Services
from tenancy.models.booking import Booking

DAYS_IN_WEEK = 7


@dataclass(frozen=True)
class BookingCard:
    booking_id: str
    time: str  # "09:00–10:30", company-local
    service: str
    customer: str
    phone: str
    address: str
    notes: str
    status: str
    source: str
    call_sid: str | None

    @property
    def cancellable(self) -> bool:
        return self.status != "cancelled"


@dataclass(frozen=True)
class DayColumn:
    day: date
    bookings: list[BookingCard]

    @property
    def label(self) -> str:
        return self.day.strftime("%a %d %b")


@dataclass(frozen=True)
class BookingsWeek:
    monday: date
    timezone: str
    today: date
    columns: list[DayColumn]

    @property
    def previous(self) -> date:
        return self.monday - timedelta(days=DAYS_IN_WEEK)

    @property
    def next(self) -> date:
        return self.monday + timedelta(days=DAYS_IN_WEEK)


def week_start(day: date) -> date:
    """The Monday of `day`'s week."""
    return day - timedelta(days=day.weekday())


def week_columns(bookings: list[Booking], monday: date, zone: ZoneInfo) -> list[DayColumn]:
    """Seven days from `monday`, each with its bookings in start order (local times)."""
    by_day: dict[date, list[Booking]] = {}
    for booking in bookings:
        by_day.setdefault(booking.start.astimezone(zone).date(), []).append(booking)
    days = [monday + timedelta(days=n) for n in range(DAYS_IN_WEEK)]
    return [DayColumn(day, [_card(b, zone) for b in sorted(by_day.get(day, []),
                                                         key=lambda b: b.start)])
            for day in days]


def _card(booking: Booking, zone: ZoneInfo) -> BookingCard:
    start, end = booking.start.astimezone(zone), booking.end.astimezone(zone)
    return BookingCard(
        booking_id=booking.id, time=f"{start:%H:%M}–{end:%H:%M}", service=booking.service,
        customer=booking.customerName, phone=booking.customerPhone, address=booking.address,
        notes=booking.notes, status=booking.status, source=booking.source,
        call_sid=booking.callSid,
    )


async def bookings_week(services: Services, company_id: str, day: date | None) -> BookingsWeek:
    """The week holding `day` (default: the company's today)."""
    desk = await company_desk(services, company_id)
    today = desk.now().date()
    monday = week_start(day or today)
    bookings = await desk.listing(monday, monday + timedelta(days=DAYS_IN_WEEK - 1))
    zone = desk.schedule.tz
    return BookingsWeek(monday=monday, timezone=str(zone), today=today,
                        columns=week_columns(bookings, monday, zone))


async def cancel_booking(services: Services, company_id: str, booking_id: str) -> Booking:
    """Cancel as DELETE /bookings/{id} does (kept, status cancelled, slot freed)."""
    desk = await company_desk(services, company_id)
    return await desk.cancel(booking_id)
