"""An in-memory `BookingCalendar` under a company's real booking rules, for the evals.

Free times come from the same `Schedule` the booking desk uses (windows or opening hours,
slot size, lead time, crews, buffer, closed dates), so a conversation is offered what a
live call would be offered; only the bookings live in a dict instead of Redis.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from runtime.conversation.booking import SlotUnavailable, Visit, VisitRequest
from tenancy.models import Company
from tenancy.scheduling import BookingRejected, Schedule, Span


@dataclass
class HeldVisit:
    visit: Visit
    phone: str
    name: str
    status: str = "confirmed"  # or "cancelled"


class RulesCalendar:
    def __init__(self, company: Company, clock: Callable[[], datetime]) -> None:
        self.schedule = Schedule.of(company)
        self._clock = clock
        self.held: dict[str, HeldVisit] = {}
        self.services = tuple(service.name for service in self.schedule.settings.services)

    def add(self, start: datetime, service: str, phone: str, name: str = "") -> Visit:
        """A visit booked before the call (a returning caller's)."""
        return self._hold(VisitRequest(service, start, name, phone, "12 Palm Ave", "", ""))

    def confirmed(self) -> list[HeldVisit]:
        return [held for held in self.held.values() if held.status == "confirmed"]

    async def free_slots(self, service: str, after: datetime, count: int,
                         fits: Callable[[datetime], bool]) -> list[datetime]:
        rules = self.schedule.service(service)
        now = self._clock()
        gap = timedelta(minutes=rules.durationMinutes)
        day, found = self.schedule.local(max(after, now)).date(), []
        last_day = self.schedule.local(now).date() + timedelta(
            days=self.schedule.settings.horizonDays)
        while day <= last_day and len(found) < count:
            starts = self.schedule.free_starts(day, rules, self._busy(), now)
            for start in (s for s in starts if s >= after and fits(s)):
                if len(found) < count and (not found or start >= found[-1] + gap):
                    found.append(start)
            day += timedelta(days=1)
        return found

    async def book(self, request: VisitRequest) -> Visit:
        return self._hold(request)

    async def upcoming(self, phone: str) -> list[Visit]:
        now = self._clock()
        return sorted((held.visit for held in self.confirmed()
                       if held.phone == phone and held.visit.start > now),
                      key=lambda visit: visit.start)

    async def move(self, visit_id: str, start: datetime) -> Visit:
        held = self.held[visit_id]
        held.status = "cancelled"  # its own time is free for the move
        try:
            moved = self._check(held.visit.service, start)
        except SlotUnavailable:
            held.status = "confirmed"
            raise
        held.visit = Visit(visit_id, held.visit.service, moved, held.visit.address)
        held.status = "confirmed"
        return held.visit

    async def cancel(self, visit_id: str) -> None:
        self.held[visit_id].status = "cancelled"

    def _hold(self, request: VisitRequest) -> Visit:
        start = self._check(request.service, request.start)
        visit = Visit(f"{len(self.held) + 1:024x}", request.service, start, request.address)
        self.held[visit.id] = HeldVisit(visit, request.phone, request.name)
        return visit

    def _check(self, service: str, start: datetime) -> datetime:
        rules = self.schedule.service(service)
        try:
            self.schedule.check(start, rules, self._clock(), lead_time=True)
        except BookingRejected as exc:
            raise SlotUnavailable(str(exc)) from exc
        if start not in self.schedule.free_starts(start.date(), rules, self._busy(),
                                                  self._clock()):
            raise SlotUnavailable("no crew is free then")
        return self.schedule.local(start)

    def _busy(self) -> list[Span]:
        spans = []
        for held in self.confirmed():
            rules = self.schedule.service(held.visit.service)
            spans.append(self.schedule.span(held.visit.start, rules))
        return spans
