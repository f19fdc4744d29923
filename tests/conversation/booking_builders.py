"""An offline `BookingCalendar` double and a policy wired to the booking flow."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from policy_builders import OFFICE_HOURS, make_context, make_snapshot

from runtime.conversation import CallContext, CallerContact, ConversationState, DialoguePolicy
from runtime.conversation.booking import SlotUnavailable, Visit, VisitRequest
from runtime.conversation.booking_flow import BookingConversation
from runtime.conversation.snapshot import CompanySnapshot

NY = ZoneInfo("America/New_York")


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """A January 2025 time in the company's zone (the 15th is the call's Wednesday)."""
    return datetime(2025, 1, day, hour, minute, tzinfo=NY)


# Thursday 16th, Friday 17th, Monday 20th.
FREE = [local(16, 9), local(16, 10), local(16, 11), local(16, 14), local(16, 15),
        local(17, 9), local(17, 14), local(20, 9)]


class FakeCalendar:
    """Free start times in a list; booking takes one, cancelling gives it back."""

    def __init__(self, free: list[datetime] | None = None,
                 services: tuple[str, ...] = ("Repair", "Install")) -> None:
        self.free = sorted(free if free is not None else FREE)
        self.services = services
        self.visits: dict[str, tuple[Visit, str]] = {}  # id → (visit, phone)
        self.requests: list[VisitRequest] = []
        self.cancelled: list[str] = []

    async def free_slots(self, service: str, after: datetime, count: int,
                         fits: Callable[[datetime], bool]) -> list[datetime]:
        return [start for start in self.free if start >= after and fits(start)][:count]

    async def book(self, request: VisitRequest) -> Visit:
        self._take(request.start)
        self.requests.append(request)
        visit = Visit(f"{len(self.visits) + 1:024x}", request.service, request.start,
                      request.address)
        self.visits[visit.id] = (visit, request.phone)
        return visit

    async def upcoming(self, phone: str) -> list[Visit]:
        return [visit for visit, owner in self.visits.values() if owner == phone]

    async def move(self, visit_id: str, start: datetime) -> Visit:
        visit, phone = self.visits[visit_id]
        self._take(start)
        self.free.append(visit.start)
        moved = Visit(visit.id, visit.service, start, visit.address)
        self.visits[visit_id] = (moved, phone)
        return moved

    async def cancel(self, visit_id: str) -> None:
        visit, _ = self.visits.pop(visit_id)
        self.cancelled.append(visit_id)
        self.free.append(visit.start)

    def add_visit(self, start: datetime, phone: str) -> Visit:
        """A visit booked before the call (a returning caller's)."""
        self._take(start)
        visit = Visit(f"{len(self.visits) + 1:024x}", "Repair", start, "12 Palm Ave")
        self.visits[visit.id] = (visit, phone)
        return visit

    def _take(self, start: datetime) -> None:
        if start not in self.free:
            raise SlotUnavailable("taken")
        self.free.remove(start)


def booking_policy(
    calendar: FakeCalendar | None = None, snapshot: CompanySnapshot | None = None,
    contact: CallerContact | None = None, at: datetime = OFFICE_HOURS,
) -> tuple[DialoguePolicy, ConversationState, CallContext, FakeCalendar]:
    calendar = calendar or FakeCalendar()
    flow = BookingConversation(calendar, clock=lambda: at)
    policy = DialoguePolicy(snapshot or make_snapshot(), None, clock=lambda: at, booking=flow)
    return policy, ConversationState.new(), make_context(contact), calendar
