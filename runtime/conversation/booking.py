"""The plug-in point for booking appointments (slot filling arrives in a later issue).

A `BookingHandler` claims utterances that start or continue a booking, answers them
(it may look up availability, so it is async) and offers the language model a tool.
With no handler the policy lets booking requests fall through to the other tiers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from runtime.conversation.context import CallContext
from runtime.conversation.outcome import Action, Listen
from runtime.conversation.snapshot import CompanySnapshot
from runtime.conversation.state import ConversationState
from runtime.providers.base import ToolSpec


@dataclass(frozen=True)
class BookingReply:
    text: str
    action: Action = field(default_factory=Listen)
    done: bool = False  # the booking finished or was abandoned: the policy leaves booking mode
    confidence: float | None = None


class BookingHandler(Protocol):
    @property
    def tool(self) -> ToolSpec:
        """The tool offered to the language model (e.g. `book_appointment`)."""
        ...

    def wants(self, state: ConversationState, utterance: str) -> bool:
        """True when this utterance asks for a booking (booking mode is handled anyway)."""
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
        arguments: dict[str, Any],
    ) -> BookingReply:
        """The model called the booking tool with these arguments."""
        ...
