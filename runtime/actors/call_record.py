"""What a live call reports to the call-log stream, and the facts that decide its outcome.

`CallRecord` travels in the call checkpoint, so a replacement actor numbers its events
where the old one stopped: a turn re-run after a crash re-emits the same `event_id` and
deduplicates downstream. `CallRecorder` turns policy outcomes into `analytics.events`.
An event the stream could not take (Redis down or restarting) is never dropped: it stays in
the record (so in the checkpoint) and goes out, in order, with the call's next events.
`returning_caller`/`remember_caller` keep the caller's contact (the company's memory).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

import structlog

from analytics.emitter import CallEventEmitter, Save
from analytics.events import (
    TIERS,
    AppointmentBooked,
    CallEnded,
    CallEventBase,
    CallStarted,
    CallSummarized,
    MessageTaken,
    Outcome,
    Tier,
    TransferMade,
    TurnRecorded,
)
from runtime.conversation import CallContext, CallerContact, TakeMessage, Transfer, TurnOutcome
from tenancy.store import TenantStore

log = structlog.get_logger(__name__)

TEXT_LIMIT = 4000  # the event schema's longest text
TIER_ALIASES = {"offer": "fallback"}  # policy tiers the event schema names differently
UNRECORDED_TIERS = frozenset({"silence"})  # no caller utterance: not a turn row
ANSWER_OUTCOMES: dict[str, Outcome] = {
    "knowledge": "answered_knowledge",
    "trade_knowledge": "answered_knowledge",
    "llm": "answered_llm",
}
DIAL_CONNECTED = frozenset({"completed", "answered"})
CALL_COMPLETED = "completed"
BOOKED_CHANGES = frozenset({"booked", "rescheduled"})  # a cancellation books nothing
# What to SET in the same step as a call's events, once they are in: (key, text, ttl_s).
SaveAfter = Callable[[], list[Save]]


def _now() -> datetime:
    return datetime.now(UTC)


def event_tier(tier: str) -> Tier | None:
    """The event-schema tier of a policy tier; None for turns that are not recorded."""
    if tier in UNRECORDED_TIERS:
        return None
    name = TIER_ALIASES.get(tier, tier)
    return cast(Tier, name) if name in TIERS else "fallback"


def event_sentiment(frustration: float | None) -> float:
    """The policy scores frustration 0..1; the call log wants sentiment -1..1 (negative bad)."""
    return -min(1.0, max(0.0, frustration)) if frustration is not None else 0.0


@dataclass
class CallRecord:
    """Event numbering and outcome facts of one call (plain JSON, checkpointed)."""

    next_turn: int = 0
    transferred: bool = False
    dial_failed: bool = False
    message_taken: bool = False
    booked: bool = False  # a visit was booked or moved on this call
    answered_by: str | None = None  # the last tier that answered a question
    sentiment: float = 0.0
    # What the summary says was done (the last of each on the call).
    message: str = ""
    message_urgent: bool = False
    transfer_reason: str = ""
    emergency: bool = False
    booked_service: str = ""
    booked_for: str = ""  # ISO 8601 with the company's offset
    unsent: list[str] = field(default_factory=list)  # serialized events not yet in the stream
    emit_failures: int = 0  # attempts to reach the stream that failed during this call

    def to_dict(self) -> dict[str, Any]:
        return {**vars(self), "unsent": list(self.unsent)}  # `asdict` deep-copies: slow

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CallRecord:
        return cls(**data)

    def outcome(self, call_status: str) -> Outcome:
        """Twilio's final status plus what happened on the call → the call's outcome."""
        if self.booked:
            return "booked"
        if self.message_taken:
            return "message_taken"
        if call_status != CALL_COMPLETED:
            return "abandoned"
        if self.transferred and not self.dial_failed:
            return "transferred"
        if self.answered_by is not None:
            return ANSWER_OUTCOMES[self.answered_by]
        return "abandoned"

    def dial_finished(self, dial_status: str) -> None:
        self.dial_failed = dial_status not in DIAL_CONNECTED


class CallRecorder:
    """Emits a call's events the moment they happen; a lost Redis write never fails a turn."""

    def __init__(self, emitter: CallEventEmitter) -> None:
        self._emitter = emitter

    async def started(self, record: CallRecord, company_id: str, ctx: CallContext) -> None:
        returning = ctx.contact is not None and ctx.contact.call_count > 0
        await self.emit(record, [CallStarted(
            company_id=company_id, call_sid=ctx.call_sid, started_at=ctx.started_at,
            caller_number=ctx.caller_number, called_number=ctx.called_number,
            returning_caller=returning,
        )])

    async def turn(
        self,
        record: CallRecord,
        company_id: str,
        ctx: CallContext,
        caller_text: str,
        outcome: TurnOutcome,
        *,
        total_ms: float,
        tts_first_byte_ms: float | None,
        then_save: SaveAfter | None = None,
    ) -> bool:
        """One agent answer: its turn row, and the transfer or message it started (see
        `emit` for `then_save` and what is returned)."""
        tier = event_tier(str(outcome.tier))
        if tier is None:
            return await self.emit(record, [], then_save)
        index = record.next_turn
        record.next_turn += 1
        record.sentiment = event_sentiment(outcome.sentiment)
        if str(outcome.tier) in ANSWER_OUTCOMES:
            record.answered_by = str(outcome.tier)
        now = _now()
        base: dict[str, Any] = {
            "company_id": company_id, "call_sid": ctx.call_sid, "started_at": ctx.started_at,
        }
        timings = outcome.timings_ms
        confidence = outcome.confidence
        events: list[CallEventBase] = [TurnRecorded(
            **base, turn_index=index, at=now,
            caller_text=caller_text[:TEXT_LIMIT], agent_text=outcome.text[:TEXT_LIMIT],
            tier=tier,
            confidence=None if confidence is None else min(1.0, max(0.0, confidence)),
            total_ms=max(total_ms, 0.0), match_ms=max(timings.get("match", 0.0), 0.0),
            llm_first_token_ms=timings.get("llm_first_token"),
            llm_total_ms=timings.get("llm_total"),
            tts_first_byte_ms=tts_first_byte_ms, sentiment=record.sentiment,
            knowledge_id=outcome.knowledge_id,
        )]
        action = outcome.action
        if isinstance(action, Transfer):
            record.transferred, record.dial_failed = True, False
            record.transfer_reason, record.emergency = action.reason[:200], action.priority
            events.append(TransferMade(
                **base, turn_index=index, at=now, to_number=action.number,
                reason=action.reason[:200],
                priority="emergency" if action.priority else "normal",
            ))
        elif isinstance(action, TakeMessage):
            record.message_taken = True
            record.message, record.message_urgent = action.message[:TEXT_LIMIT], action.urgent
            events.append(MessageTaken(
                **base, turn_index=index, at=now, message=action.message[:TEXT_LIMIT],
                urgent=action.urgent,
            ))
        booking = outcome.appointment
        if booking is not None and booking.change in BOOKED_CHANGES:
            record.booked = True
            record.booked_service, record.booked_for = booking.service[:200], booking.start
            events.append(AppointmentBooked(
                **base, turn_index=index, at=now, service=booking.service[:200],
                scheduled_for=datetime.fromisoformat(booking.start),
            ))
        return await self.emit(record, events, then_save)

    async def ended(
        self,
        record: CallRecord,
        company_id: str,
        ctx: CallContext,
        *,
        call_status: str,
        duration_s: float | None,
        turn_count: int,
        summary: str = "",
        ended_at: datetime | None = None,
        forget: Sequence[str] = (),
    ) -> CallEnded:
        """The end event; `forget`: keys deleted with it once every event of the call is
        in the stream (its checkpoints, which keep events not yet delivered)."""
        now = ended_at or _now()
        if duration_s is None:
            duration_s = (now - ctx.started_at).total_seconds()
        event = CallEnded(
            company_id=company_id, call_sid=ctx.call_sid, started_at=ctx.started_at,
            outcome=record.outcome(call_status), duration_s=max(duration_s, 0.0),
            final_sentiment=record.sentiment, turn_count=turn_count, ended_at=now,
            summary=summary[:TEXT_LIMIT],
        )
        await self.emit(record, [event], forget=forget)
        return event

    async def summarized(self, company_id: str, ctx: CallContext, summary: str) -> bool:
        """An ended call's drafted summary. It travels alone (not after the call's unsent
        events, which their own delivery carries): lost, the extractive summary stands."""
        event = CallSummarized(company_id=company_id, call_sid=ctx.call_sid,
                               started_at=ctx.started_at, summary=summary[:TEXT_LIMIT])
        return await self.emit(CallRecord(), [event])

    async def deliver_then(self, record: CallRecord, then: Callable[[], Awaitable[None]]
                           ) -> None:
        """An ended call's events the stream did not take: retry with backoff until it
        does, then `then()` (drop the call's checkpoint, which kept them meanwhile)."""
        delay_s = 0.5
        while not await self.emit(record, []):
            await asyncio.sleep(delay_s)
            delay_s = min(delay_s * 2, 30.0)
        with contextlib.suppress(Exception):
            await then()

    async def emit(self, record: CallRecord, events: list[CallEventBase],
                   then_save: SaveAfter | None = None, forget: Sequence[str] = ()) -> bool:
        """Send `events` after any the stream has not taken yet; True once none is left.
        A failure keeps them all in `record.unsent` (the call goes on, nothing is lost).
        `then_save()` (made with nothing left unsent, as after success: the call's
        checkpoint) is written and the keys `forget` deleted in the same round trip, only
        once the events are in."""
        payloads = [*record.unsent, *(event.to_json() for event in events)]
        if not payloads and then_save is None and not forget:
            return True
        record.unsent = []
        try:
            if then_save is None and not forget:
                await self._emitter.emit_payloads(payloads)
            else:
                await self._emitter.emit_then_save(payloads, then_save() if then_save else [],
                                                   forget)
        except Exception:
            record.unsent = payloads
            record.emit_failures += 1
            log.warning("call_events_deferred", pending=len(payloads),
                        failures=record.emit_failures, exc_info=True)
            return False
        return True


async def returning_caller(store: TenantStore, caller_number: str) -> CallerContact | None:
    """The caller's contact, if the company has met this number before."""
    try:
        contact = await store.contacts.find_by_phone(caller_number)
    except Exception:
        log.exception("contact_lookup_failed")
        return None
    if contact is None:
        return None
    return CallerContact(contact.name, contact.callCount, contact.lastCallAt)


async def remember_caller(store: TenantStore, caller_number: str) -> None:
    """Count the call on the caller's contact, so the next call is recognised."""
    try:
        await store.contacts.count_call(caller_number, _now())
    except Exception:  # anonymous or malformed caller ids cannot be contacts
        log.warning("contact_not_recorded")
