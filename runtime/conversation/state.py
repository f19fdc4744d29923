"""`ConversationState`: everything about a live call that changes turn by turn.

It is checkpointed to Redis after every turn (`to_dict()`), and a replacement actor
continues the call from `from_dict()` exactly where the old one stopped, so every
field is plain JSON data and nothing random or time-based lives outside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Mode(StrEnum):
    CONVERSATION = "conversation"  # normal question answering
    MESSAGE = "message"  # the next utterance is recorded as the caller's message
    OFFER = "offer"  # we offered a transfer or a message; waiting for the answer
    BOOKING = "booking"  # a BookingHandler owns the turn
    TRANSFERRING = "transferring"  # a <Dial> is in progress
    ENDED = "ended"


@dataclass
class ConversationState:
    history: list[tuple[str, str]] = field(default_factory=list)  # (role, text), role caller|agent
    mode: Mode = Mode.CONVERSATION
    consecutive_misses: int = 0
    silences: int = 0  # consecutive turns where the caller said nothing
    sentiment_history: list[float] = field(default_factory=list)
    turn_count: int = 0  # caller turns answered
    slots: dict[str, str] = field(default_factory=dict)  # booking details, owned by the handler
    after_hours: bool = False
    ended: bool = False
    greeted: bool = False
    message_urgent: bool = False  # the message being taken must be flagged urgent
    message_context: str = ""  # what the caller said before we switched to message taking
    message_slots: dict[str, str] = field(default_factory=dict)  # see message_taking.py
    emergency_advice: str = ""  # the safety lines of the emergency being transferred
    transfer_priority: bool = False  # the transfer in progress is an emergency
    line_rotation: dict[str, int] = field(default_factory=dict)  # next index per line kind

    @classmethod
    def new(cls) -> ConversationState:
        return cls()

    def to_dict(self) -> dict[str, Any]:
        # Field by field, not `asdict`: its recursive deep copy was ~40 % of the checkpoint's
        # CPU, paid every turn (profile in docs/benchmarks.md). Containers are copied.
        data = dict(vars(self))
        data["history"] = [list(item) for item in self.history]
        data["mode"] = self.mode.value
        data["sentiment_history"] = list(self.sentiment_history)
        data["slots"] = dict(self.slots)
        data["line_rotation"] = dict(self.line_rotation)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ConversationState:
        return cls(
            **{
                **data,
                "history": [(role, text) for role, text in data["history"]],
                "mode": Mode(data["mode"]),
                "sentiment_history": list(data["sentiment_history"]),
                "slots": dict(data["slots"]),
                "message_slots": dict(data.get("message_slots", {})),
                "line_rotation": dict(data["line_rotation"]),
            }
        )

    def add(self, role: str, text: str) -> None:
        if text:
            self.history.append((role, text))

    def next_line(self, kind: str, lines: tuple[str, ...]) -> str:
        """Rotate through a list of configured lines so repeats sound less robotic."""
        index = self.line_rotation.get(kind, 0)
        self.line_rotation[kind] = index + 1
        return lines[index % len(lines)]
