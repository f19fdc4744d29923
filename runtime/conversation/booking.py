"""The plug-in point for booking appointments, and the calendar the booking flow talks to.

A `BookingHandler` claims utterances that start or continue a booking, answers them
(it may look up availability, so it is async) and offers the language model a tool.
With no handler the policy lets booking requests fall through to the other tiers.
The shipped handler (`booking_flow.BookingConversation`) reaches the company's bookings
only through a `BookingCalendar`, which the call actor implements over the tenant store:
the policy itself stays free of Redis.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from runtime.conversation.context import CallContext
from runtime.conversation.outcome import Action, Appointment, Listen
from runtime.conversation.snapshot import CompanySnapshot
from runtime.conversation.state import ConversationState
from runtime.providers.base import ToolSpec


@dataclass(frozen=True)
class BookingReply:
    text: str
    action: Action = field(default_factory=Listen)
    done: bool = False  # the booking finished or was abandoned: the policy leaves booking mode
    confidence: float | None = None
    appointment: Appointment | None = None  # what this turn booked, moved or cancelled
    take_message: bool = False  # no time suits: the caller's next words are a message
    message_context: str = ""  # what the message is about (prefixed to it)


class BookingHandler(Protocol):
    @property
    def tools(self) -> tuple[ToolSpec, ...]:
        """The tools offered to the language model (e.g. `find_slots`, `book_appointment`)."""
        ...

    def wants(self, state: ConversationState, utterance: str) -> bool:
        """True when this utterance asks for a booking (booking mode is handled anyway)."""
        ...

    def is_aside(self, state: ConversationState, utterance: str) -> bool:
        """True when, mid-booking, the caller asks a question instead of answering."""
        ...

    def resume_prompt(self, snapshot: CompanySnapshot, state: ConversationState,
                      ctx: CallContext) -> str:
        """The question to come back to after an aside was answered."""
        ...

    async def reply(
        self,
        snapshot: CompanySnapshot,
        state: ConversationState,
        ctx: CallContext,
        utterance: str,
    ) -> BookingReply:
        """Advance the booking by one caller utterance; slots live in `state.slots`."""
        ...

    async def on_tool_call(
        self,
        snapshot: CompanySnapshot,
        state: ConversationState,
        ctx: CallContext,
        name: str,
        arguments: dict[str, Any],
    ) -> BookingReply:
        """The model called one of the booking tools with these arguments."""
        ...


@dataclass(frozen=True)
class Visit:
    """A booked visit as the conversation sees it (start in company local time)."""

    id: str
    service: str
    start: datetime
    address: str = ""


@dataclass(frozen=True)
class VisitRequest:
    service: str
    start: datetime
    name: str
    phone: str
    address: str
    notes: str
    call_sid: str


class SlotUnavailable(Exception):
    """The time was taken meanwhile or breaks the company's rules: offer other times."""


class BookingCalendar(Protocol):
    """The company's bookings as the flow needs them; implemented outside the policy."""

    @property
    def services(self) -> tuple[str, ...]:
        """The bookable services' names; the first is the default."""
        ...

    async def free_slots(self, service: str, after: datetime, count: int,
                         fits: Callable[[datetime], bool]) -> list[datetime]:
        """Up to `count` free starts at or after `after` for which `fits` holds."""
        ...

    async def book(self, request: VisitRequest) -> Visit:
        """Reserve the visit; `SlotUnavailable` if no crew is free then."""
        ...

    async def upcoming(self, phone: str) -> list[Visit]:
        """The caller's confirmed visits that have not started, soonest first."""
        ...

    async def move(self, visit_id: str, start: datetime) -> Visit:
        """Reschedule; `SlotUnavailable` if the new time is not free."""
        ...

    async def cancel(self, visit_id: str) -> None:
        ...
