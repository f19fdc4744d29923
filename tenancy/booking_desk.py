"""`BookingDesk`: books, moves and cancels one company's visits under its rules.

The admin API and the phone agent both go through it, so a visit booked by a caller and
one typed in by staff obey the same windows, capacity and validation. With a connected
calendar its busy times are taken out of availability and every booking is mirrored into
it as an event; a calendar that fails or is slow never blocks a booking (see
`CalendarMirror`): events it missed are retried by the next booking operation.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from pydantic import ValidationError

from tenancy.bookings import BookingBook
from tenancy.errors import Conflict, InvalidDocument
from tenancy.external_calendar import DEFAULT_TIMEOUT_S, CalendarMirror, ExternalCalendar
from tenancy.models import Company, utc_now
from tenancy.models.booking import BookableService, Booking, BookingFields, BookingUpdate
from tenancy.registry import validation_details
from tenancy.scheduling import Schedule
from tenancy.store import TenantStore

_MOVING_FIELDS = ("start", "service")


class BookingDesk:
    def __init__(self, store: TenantStore, company: Company,
                 clock: Callable[[], datetime] = utc_now, *,
                 calendar: ExternalCalendar | None = None,
                 calendar_timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        self._book: BookingBook = store.bookings
        self.schedule = Schedule.of(company)
        self._clock = clock
        self._mirror = None if calendar is None else CalendarMirror(
            calendar, company.timezone, store.calendar_pending, calendar_timeout_s)

    def now(self) -> datetime:
        return self.schedule.local(self._clock())

    # --- reading ---------------------------------------------------------------------------

    async def listing(self, first: date, last: date) -> list[Booking]:
        """Bookings starting on the company-local days first..last."""
        start = datetime.combine(first, time(0, 0), self.schedule.tz)
        end = datetime.combine(last + timedelta(days=1), time(0, 0), self.schedule.tz)
        return await self._book.between(start, end)

    async def get(self, booking_id: str) -> Booking:
        return await self._book.get(booking_id)

    async def upcoming_for(self, phone: str) -> list[Booking]:
        return await self._book.upcoming_for(phone, self._clock())

    async def availability(self, day: date, service_name: str) -> list[datetime]:
        """Free start times on a company-local day for this service."""
        return await self._free_on(day, self.schedule.service(service_name))

    async def next_free(self, service_name: str, after: datetime, count: int,
                        fits: Callable[[datetime], bool] = lambda _: True) -> list[datetime]:
        """Up to `count` free starts at or after `after` that `fits` (e.g. "mornings"),
        each at least one visit after the previous."""
        service = self.schedule.service(service_name)
        after = max(self.schedule.local(after), self.now())
        gap = timedelta(minutes=service.durationMinutes)
        found: list[datetime] = []
        day = after.date()
        last_day = self.now().date() + timedelta(days=self.schedule.settings.horizonDays)
        while day <= last_day and len(found) < count:
            for start in await self._free_on(day, service):
                if start >= after and fits(start) and (not found or start >= found[-1] + gap):
                    found.append(start)
                    if len(found) == count:
                        break
            day += timedelta(days=1)
        return found

    async def _free_on(self, day: date, service: BookableService) -> list[datetime]:
        windows = self.schedule.day_windows(day)
        if not windows:
            return []
        start, end = windows[0][0], max(end for _, end in windows)
        busy = await self._book.busy(start, end)
        if self._mirror is not None:  # the company's own appointments take every crew
            busy += await self._mirror.busy(start, end) * self.schedule.settings.crews
        return self.schedule.free_starts(day, service, busy, self._clock())

    # --- writing ---------------------------------------------------------------------------

    async def create(self, fields: BookingFields, *, lead_time: bool = False) -> Booking:
        """Book a visit; `lead_time` applies the company's notice period (phone bookings)."""
        service = self.schedule.service(fields.service)
        self.schedule.check(fields.start, service, self._clock(), lead_time=lead_time)
        start = self.schedule.local(fields.start)
        booking = Booking.model_validate(
            fields.model_dump() | {
                "start": start, "end": self.schedule.visit_end(start, service),
                "service": service.name,
            }
        )
        crews = self.schedule.settings.crews
        await self._book.reserve(booking, self.schedule.span(start, service), crews)
        return await self._mirrored(booking)

    async def change(self, booking_id: str, update: BookingUpdate) -> Booking:
        """Reschedule, edit or cancel; a move is re-checked and re-reserved atomically."""
        current = await self._book.get(booking_id)
        changes = update.model_dump(exclude_unset=True)
        if current.status == "cancelled":
            raise Conflict(f"booking {booking_id} is cancelled and cannot be changed")
        if changes.get("status") == "cancelled":
            return await self.cancel(booking_id, current)
        merged = current.model_dump() | changes | {"updatedAt": utc_now()}
        if not any(name in changes for name in _MOVING_FIELDS):
            edited = self._valid(merged)
            if not await self._book.replace(current, edited):
                raise Conflict(f"booking {booking_id} was changed meanwhile, try again")
            return await self._mirrored(edited)
        service = self.schedule.service(merged["service"])
        self.schedule.check(merged["start"], service, self._clock())
        start = self.schedule.local(merged["start"])
        merged |= {"start": start, "end": self.schedule.visit_end(start, service),
                   "service": service.name}
        booking = self._valid(merged)
        crews = self.schedule.settings.crews
        await self._book.reserve(booking, self.schedule.span(start, service), crews,
                                 replacing=current)
        return await self._mirrored(booking)

    async def cancel(self, booking_id: str, current: Booking | None = None) -> Booking:
        current = current or await self._book.get(booking_id)
        if current.status == "cancelled":
            return current
        cancelled = current.model_copy(update={"status": "cancelled", "updatedAt": utc_now()})
        return await self._mirrored(await self._book.release(current, cancelled))

    async def _mirrored(self, booking: Booking) -> Booking:
        """Mirror the booking into the calendar, then retry a few that failed before."""
        mirror = self._mirror
        if mirror is None:
            return booking
        booking = await self._mirror_one(mirror, booking)
        for booking_id in await mirror.pending():
            if booking_id != booking.id:
                await self._mirror_one(mirror, await self._book.get(booking_id))
        return booking

    async def _mirror_one(self, mirror: CalendarMirror, booking: Booking) -> Booking:
        event_id = await mirror.mirror(booking)
        if event_id == booking.calendarEventId:
            return booking
        annotated = booking.model_copy(update={"calendarEventId": event_id})
        # changed meanwhile: the newer version is mirrored by whoever changed it
        return annotated if await self._book.replace(booking, annotated) else booking

    @staticmethod
    def _valid(document: dict[str, object]) -> Booking:
        try:
            return Booking.model_validate(document)
        except ValidationError as exc:
            raise InvalidDocument("the change does not validate", validation_details(exc)) from exc
