"""The booking flow's calendar for one call: the company's `BookingDesk` behind the
policy's small `BookingCalendar` interface (the policy never sees Redis or pydantic)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from runtime.conversation.booking import SlotUnavailable, Visit, VisitRequest
from runtime.conversation.booking_flow import BookingConversation
from runtime.providers.calendar_factory import CalendarConfig, booking_desk
from tenancy.booking_desk import BookingDesk
from tenancy.bookings import SlotTaken
from tenancy.models import Company
from tenancy.models.booking import Booking, BookingFields, BookingSource, BookingUpdate
from tenancy.scheduling import BookingRejected
from tenancy.store import TenantStore


def _visit(booking: Booking) -> Visit:
    return Visit(booking.id, booking.service, booking.start, booking.address)


class DeskCalendar:
    def __init__(self, desk: BookingDesk, source: BookingSource = "phone") -> None:
        self._desk = desk
        self._source = source  # where bookings come from: a call, or a text conversation
        self.services = tuple(service.name for service in desk.schedule.settings.services)

    async def free_slots(self, service: str, after: datetime, count: int,
                         fits: Callable[[datetime], bool]) -> list[datetime]:
        return await self._desk.next_free(service, after, count, fits)

    async def book(self, request: VisitRequest) -> Visit:
        fields = BookingFields(
            start=request.start, service=request.service, customerName=request.name,
            customerPhone=request.phone, address=request.address, notes=request.notes,
            source=self._source, callSid=request.call_sid,
        )
        try:
            return _visit(await self._desk.create(fields, lead_time=True))
        except (SlotTaken, BookingRejected) as exc:
            raise SlotUnavailable(str(exc)) from exc

    async def upcoming(self, phone: str) -> list[Visit]:
        return [_visit(booking) for booking in await self._desk.upcoming_for(phone)]

    async def move(self, visit_id: str, start: datetime) -> Visit:
        try:
            return _visit(await self._desk.change(visit_id, BookingUpdate(start=start)))
        except (SlotTaken, BookingRejected) as exc:
            raise SlotUnavailable(str(exc)) from exc

    async def cancel(self, visit_id: str) -> None:
        await self._desk.cancel(visit_id)


async def booking_for_call(store: TenantStore, company: Company | None, config: CalendarConfig,
                           source: BookingSource = "phone") -> BookingConversation | None:
    """The conversation's booking handler; None when the company does not take bookings."""
    if company is None or not company.bookingSettings.enabled:
        return None
    return BookingConversation(DeskCalendar(await booking_desk(store, company, config), source))
