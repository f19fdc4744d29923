"""What a turn produces: the sentences to speak, then the action and the turn's record.

`AgentTurn` is handed back at once; the caller iterates `sentences()` (speech can start
with the first one) and afterwards reads `outcome`. Turns that need no language model
are complete from the start and just yield their fixed sentences.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from runtime.conversation.sentences import split_sentences


class Tier(StrEnum):
    """Which part of the policy answered a turn (recorded per turn for analytics)."""

    GREETING = "greeting"
    EMERGENCY = "emergency"
    TRANSFER = "transfer"
    ESCALATION = "escalation"
    BOOKING = "booking"
    KNOWLEDGE = "knowledge"
    TRADE_KNOWLEDGE = "trade_knowledge"
    LLM = "llm"
    FALLBACK = "fallback"
    OFFER = "offer"
    MESSAGE = "message"
    SILENCE = "silence"
    GOODBYE = "goodbye"


@dataclass(frozen=True)
class Listen:
    """Keep the line open and listen for the caller's next utterance."""


@dataclass(frozen=True)
class Transfer:
    """Dial `number` after speaking; come back through `after_dial` if nobody answers."""

    number: str
    caller_id: str | None
    reason: str
    priority: bool = False


@dataclass(frozen=True)
class TakeMessage:
    """Record the message for the company, speak the confirmation, then hang up."""

    message: str
    urgent: bool = False
    caller_number: str = ""  # the callback number (the caller id unless they gave another)
    caller_name: str = ""


@dataclass(frozen=True)
class Hangup:
    """Speak the text, then end the call."""


Action = Listen | Transfer | TakeMessage | Hangup


def action_to_dict(action: Action) -> dict[str, Any]:
    return {"type": type(action).__name__, **asdict(action)}


@dataclass(frozen=True)
class Appointment:
    """A visit this turn booked, moved or cancelled (the call log records it)."""

    booking_id: str
    service: str
    start: str  # ISO 8601 with the company's UTC offset
    change: str = "booked"  # booked | rescheduled | cancelled


@dataclass(frozen=True)
class TurnOutcome:
    text: str
    action: Action
    tier: str
    confidence: float | None = None
    timings_ms: dict[str, float] = field(default_factory=dict)
    fallback_reason: str | None = None
    sentiment: float | None = None  # caller frustration this turn, 0 calm .. 1 furious
    knowledge_id: str | None = None  # the company Q&A entry that answered, if one did
    appointment: Appointment | None = None
    safety_advice: str | None = None  # an emergency turn: the hazard's safety lines

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "action": action_to_dict(self.action),
            "tier": str(self.tier),
            "confidence": self.confidence,
            "timings_ms": dict(self.timings_ms),
            "fallback_reason": self.fallback_reason,
            "sentiment": self.sentiment,
            "knowledge_id": self.knowledge_id,
            "appointment": asdict(self.appointment) if self.appointment else None,
        }


class AgentTurn:
    """One agent reply: an async stream of sentences, then a final `TurnOutcome`.

    `events` yields sentences (str) and, last, the `TurnOutcome`.
    """

    def __init__(self, events: AsyncIterator[str | TurnOutcome]) -> None:
        self._events: AsyncIterator[str | TurnOutcome] | None = events
        self._outcome: TurnOutcome | None = None
        self._fixed_sentences: list[str] = []
        self._streaming = True

    @classmethod
    def fixed(cls, outcome: TurnOutcome) -> AgentTurn:
        """A turn whose whole text is known now (every tier but the language model)."""
        turn = cls.__new__(cls)
        turn._events = None
        turn._outcome = outcome
        turn._fixed_sentences = split_sentences(outcome.text)
        turn._streaming = False
        return turn

    @property
    def done(self) -> bool:
        """True once the outcome is final (at once for fixed turns)."""
        return self._outcome is not None

    @property
    def outcome(self) -> TurnOutcome:
        if self._outcome is None:
            raise RuntimeError("the turn is still streaming: exhaust sentences() first")
        return self._outcome

    async def sentences(self) -> AsyncIterator[str]:
        if self._events is None:
            if self._streaming:
                raise RuntimeError("this turn's sentences were already consumed")
            for sentence in self._fixed_sentences:
                yield sentence
            return
        events, self._events = self._events, None
        try:
            async for event in events:
                if isinstance(event, TurnOutcome):
                    self._outcome = event
                else:
                    yield event
        finally:
            closer = getattr(events, "aclose", None)
            if closer is not None:
                await closer()
        if self._outcome is None:
            raise RuntimeError("the turn's event stream ended without an outcome")

    async def complete(self) -> TurnOutcome:
        """Drain the sentences and return the outcome (for callers that need only the text)."""
        async for _ in self.sentences():
            pass
        return self.outcome
