"""The call-log event schema: the one place that says what a call reports and when.

A live call (a `CallActor`) emits these events the moment they happen; the LogSink turns
them into Parquet rows. Every event carries the call's `started_at`, so all rows of a call
land in the same `date=` partition, and an `event_id` derived from what the event *is*
(`{call_sid}:turn:3`, `{call_sid}:ended`), so a re-emitted or re-delivered event is the
same fact and deduplicates in queries.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, TypeAdapter, model_validator

from tenancy.models.common import ObjectId

Tier = Literal[
    "greeting",
    "knowledge",
    "trade_knowledge",
    "llm",
    "booking",
    "fallback",
    "emergency",
    "transfer",
    "escalation",
    "message",
    "goodbye",
]
Outcome = Literal[
    "answered_knowledge", "answered_llm", "transferred", "message_taken", "abandoned", "booked",
    "not_taken",
]
OUTCOMES: tuple[str, ...] = Outcome.__args__  # type: ignore[attr-defined]
TIERS: tuple[str, ...] = Tier.__args__  # type: ignore[attr-defined]
TransferPriority = Literal["normal", "urgent", "emergency"]
# Why an incoming call got no agent (the webhook's refusal); a retried webhook or a
# CallSid another call holds is not a lost call and is not reported.
NotTakenReason = Literal[
    "rate_limited", "no_idle_actor", "at_capacity", "company_at_capacity",
    "company_over_share", "pool_unavailable", "cannot_connect",
]
NOT_TAKEN_REASONS: tuple[str, ...] = NotTakenReason.__args__  # type: ignore[attr-defined]


def _as_utc(value: datetime) -> datetime:
    """Naive datetimes are taken as UTC; aware ones are converted to UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


UtcDatetime = Annotated[datetime, AfterValidator(_as_utc)]
CallSid = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
PhoneNumber = Annotated[str, Field(min_length=1, max_length=40)]
Millis = Annotated[float, Field(ge=0.0)]
Sentiment = Annotated[float, Field(ge=-1.0, le=1.0)]
Confidence = Annotated[float, Field(ge=0.0, le=1.0)]
Text = Annotated[str, Field(max_length=4000)]


class CallEventBase(BaseModel):
    """Fields every event of a call carries."""

    model_config = ConfigDict(extra="forbid")

    event_id: str = ""
    company_id: ObjectId
    call_sid: CallSid
    started_at: UtcDatetime

    def identity(self) -> str:
        """What this event is within its call; `event_id` is `{call_sid}:{identity}`."""
        raise NotImplementedError

    @model_validator(mode="after")
    def _default_event_id(self) -> CallEventBase:
        if not self.event_id:
            self.event_id = f"{self.call_sid}:{self.identity()}"
        return self

    def to_json(self) -> str:
        return self.model_dump_json()


class CallStarted(CallEventBase):
    type: Literal["call_started"] = "call_started"
    caller_number: PhoneNumber
    called_number: PhoneNumber
    returning_caller: bool = False

    def identity(self) -> str:
        return "started"


class TurnRecorded(CallEventBase):
    """One caller utterance and the agent's answer, with which tier answered and how fast."""

    type: Literal["turn_recorded"] = "turn_recorded"
    turn_index: int = Field(ge=0)
    at: UtcDatetime
    caller_text: Text
    agent_text: Text
    tier: Tier
    confidence: Confidence | None = None
    total_ms: Millis
    match_ms: Millis
    llm_first_token_ms: Millis | None = None
    llm_total_ms: Millis | None = None
    tts_first_byte_ms: Millis | None = None
    sentiment: Sentiment = 0.0
    # The company knowledge entry that answered, if one did (the learning funnel counts
    # answers from approved suggestions by it).
    knowledge_id: Annotated[str, Field(max_length=64)] | None = None

    def identity(self) -> str:
        return f"turn:{self.turn_index}"


class TransferMade(CallEventBase):
    type: Literal["transfer_made"] = "transfer_made"
    turn_index: int = Field(ge=0)
    at: UtcDatetime
    to_number: PhoneNumber
    reason: Annotated[str, Field(max_length=200)]
    priority: TransferPriority = "normal"

    def identity(self) -> str:
        return f"transfer:{self.turn_index}"


class MessageTaken(CallEventBase):
    type: Literal["message_taken"] = "message_taken"
    turn_index: int = Field(ge=0)
    at: UtcDatetime
    message: Text
    urgent: bool = False

    def identity(self) -> str:
        return f"message:{self.turn_index}"


class AppointmentBooked(CallEventBase):
    type: Literal["appointment_booked"] = "appointment_booked"
    turn_index: int = Field(ge=0)
    at: UtcDatetime
    service: Annotated[str, Field(max_length=200)]
    scheduled_for: UtcDatetime

    def identity(self) -> str:
        return f"booked:{self.turn_index}"


class CallEnded(CallEventBase):
    type: Literal["call_ended"] = "call_ended"
    outcome: Outcome
    duration_s: float = Field(ge=0.0)
    final_sentiment: Sentiment = 0.0
    turn_count: int = Field(ge=0)
    ended_at: UtcDatetime
    summary: Text = ""  # who called, what about, what was done (analytics.call_summary)

    def identity(self) -> str:
        return "ended"


class CallSummarized(CallEventBase):
    """A call's drafted summary, reported after its end: drafting never holds the end (and
    so the call's log) up, and a draft that never comes leaves the extractive summary."""

    type: Literal["call_summarized"] = "call_summarized"
    summary: Annotated[str, Field(min_length=1, max_length=4000)]

    def identity(self) -> str:
        return "summarized"


class CallNotTaken(CallEventBase):
    """An incoming call no agent took: the caller heard a refusal (or was forwarded to the
    office). The whole call in one event: it never reached a call actor."""

    type: Literal["call_not_taken"] = "call_not_taken"
    caller_number: PhoneNumber
    called_number: PhoneNumber
    reason: NotTakenReason
    forwarded_to: PhoneNumber | None = None

    def identity(self) -> str:
        return "not_taken"


CallEvent = Annotated[
    CallStarted
    | TurnRecorded
    | TransferMade
    | MessageTaken
    | AppointmentBooked
    | CallEnded
    | CallSummarized
    | CallNotTaken,
    Field(discriminator="type"),
]
_CALL_EVENT: TypeAdapter[CallEvent] = TypeAdapter(CallEvent)


def parse_event(payload: str | bytes) -> CallEvent:
    """Decode one stream payload; raises `pydantic.ValidationError` on a malformed one."""
    return _CALL_EVENT.validate_json(payload)
