"""A calendar a company connects (Google Calendar), as the booking desk needs it.

The desk asks it for busy times and mirrors bookings into it as events. It is never on
the critical path of a call: every request is bounded by a timeout, and a failure means
"decide on the company's own rules and mirror the event later" (`CalendarMirror`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

import structlog

from tenancy.models.booking import Booking

log = structlog.get_logger(__name__)

Span = tuple[datetime, datetime]
DEFAULT_TIMEOUT_S = 2.0
RETRIES_PER_SYNC = 5
BUSY_PREFETCH = timedelta(days=14)  # pending events retried by each booking operation


class CalendarUnavailable(Exception):
    """The calendar errored or did not answer in time."""


@dataclass(frozen=True)
class CalendarEvent:
    id: str  # base32hex (0-9, a-v), unique per version of the booking (Google keeps ids)
    summary: str
    start: datetime  # aware
    end: datetime
    timezone: str  # IANA, so the event shows in the company's zone
    location: str = ""
    description: str = ""

    @classmethod
    def of(cls, booking: Booking, timezone: str) -> CalendarEvent:
        return cls(
            id=f"{booking.id}{int(booking.start.timestamp()):x}",
            summary=f"{booking.service}: {booking.customerName}",
            start=booking.start, end=booking.end, timezone=timezone,
            location=booking.address,
            description=f"{booking.notes}\nCallback: {booking.customerPhone}".strip(),
        )


class ExternalCalendar(Protocol):
    async def busy(self, start: datetime, end: datetime, timezone: str) -> list[Span]:
        """Busy spans overlapping [start, end)."""
        ...

    async def add_event(self, event: CalendarEvent) -> str:
        """Create the event (an id already present counts as created); returns its id."""
        ...

    async def remove_event(self, event_id: str) -> None:
        """Delete the event (one already gone counts as deleted)."""
        ...


class PendingEvents(Protocol):
    """Bookings whose calendar event still has to be written or deleted."""

    async def add(self, booking_id: str) -> None: ...
    async def take(self, limit: int) -> list[str]: ...
    async def done(self, booking_id: str) -> None: ...


class CalendarMirror:
    """Bounded, failure-tolerant calls to the company's calendar.

    One mirror serves one request or one call. After one failure it does not ask the
    calendar again, so a search over many days costs at most one timeout.
    """

    def __init__(self, calendar: ExternalCalendar, timezone: str, pending: PendingEvents,
                 timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        self._calendar = calendar
        self._timezone = timezone
        self._pending = pending
        self._timeout_s = timeout_s
        self._down = False
        self._known: tuple[datetime, datetime, list[Span]] | None = None  # fetched busy times

    async def busy(self, start: datetime, end: datetime) -> list[Span]:
        """The calendar's busy spans; none when it cannot answer (company rules decide).

        One request covers the next two weeks, so a search day by day asks once."""
        if self._down:
            return []
        known = self._known
        if known is None or start < known[0] or end > known[1]:
            until = max(end, start + BUSY_PREFETCH)
            try:
                spans = await asyncio.wait_for(
                    self._calendar.busy(start, until, self._timezone), self._timeout_s)
            except (CalendarUnavailable, TimeoutError, OSError) as exc:
                self._failed("busy", exc)
                return []
            self._known = known = (start, until, spans)
        return [span for span in known[2] if span[0] < end and span[1] > start]

    async def pending(self, limit: int = RETRIES_PER_SYNC) -> list[str]:
        return await self._pending.take(limit)

    async def mirror(self, booking: Booking) -> str | None:
        """Bring the calendar in line with `booking` (its `calendarEventId` says what the
        calendar holds now); the event id it holds afterwards. What fails is marked
        pending and retried by a later booking operation (`retry`)."""
        target = CalendarEvent.of(booking, self._timezone) if booking.status == "confirmed" \
            else None
        held = booking.calendarEventId
        if held and (target is None or held != target.id):
            if not await self._bounded(self._calendar.remove_event(held), "remove_event"):
                await self._pending.add(booking.id)
                return held
            held = None
        if target is not None and held != target.id:
            if not await self._bounded(self._calendar.add_event(target), "add_event"):
                await self._pending.add(booking.id)
                return None
            held = target.id
        await self._pending.done(booking.id)
        return held

    async def _bounded(self, call: Coroutine[Any, Any, object], what: str) -> bool:
        """True when the call succeeded within the timeout."""
        if self._down:
            call.close()
            return False
        try:
            await asyncio.wait_for(call, self._timeout_s)
        except (CalendarUnavailable, TimeoutError, OSError) as exc:
            self._failed(what, exc)
            return False
        return True

    def _failed(self, what: str, exc: BaseException) -> None:
        self._down = True
        log.warning("calendar_unavailable", call=what, error_type=type(exc).__name__)
