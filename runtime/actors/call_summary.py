"""A live call's summary: the extractive one from its record, or Gemini's draft of it.

The extractive summary (`analytics.call_summary`) is computed in microseconds and is
always there; a drafted one replaces it only when a drafting model is configured and
answers in time (`runtime.providers.drafting`), so a slow or failing model never holds a
call's end up for more than the draft's bound, and never leaves a call without a summary.
"""

from __future__ import annotations

from datetime import datetime

from analytics.call_summary import SUMMARY_LIMIT, CallFacts, clip, extractive_summary
from runtime.actors.call_record import CallRecord
from runtime.conversation import CallContext, ConversationState
from runtime.providers.base import ChatMessage, LanguageModel, LlmRequest
from runtime.providers.drafting import draft_text

SUMMARY_INSTRUCTIONS = (
    "You summarise a phone call that an AI receptionist answered for {company}, for the "
    "company's staff. In one or two plain sentences (at most 300 characters) say who called, "
    "what about, and what was done: booked, message taken, transferred, answered, or hung up. "
    "Use only facts from the transcript and the recorded outcome; no greetings, no markdown."
)


def readable_time(iso: str) -> str:
    """"2026-03-03T09:00:00-05:00" → "Tue Mar 3, 9:00 AM" (the company's own clock)."""
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{moment:%a %b} {moment.day}, {moment.hour % 12 or 12}:{moment:%M %p}"


def call_facts(record: CallRecord, state: ConversationState, ctx: CallContext,
               call_status: str) -> CallFacts:
    name = state.slots.get("name") or (ctx.contact.name if ctx.contact else "")
    return CallFacts(
        outcome=record.outcome(call_status), caller_name=name, caller_number=ctx.caller_number,
        message=record.message, urgent=record.message_urgent,
        booked_service=record.booked_service,
        booked_for=readable_time(record.booked_for) if record.booked_for else "",
        transfer_reason=record.transfer_reason, emergency=record.emergency,
    )


def caller_lines(state: ConversationState) -> list[str]:
    return [text for role, text in state.history if role == "caller"]


def call_summary(record: CallRecord, state: ConversationState, ctx: CallContext,
                 call_status: str) -> str:
    """The extractive summary of the call as it stands."""
    return extractive_summary(caller_lines(state),
                              call_facts(record, state, ctx, call_status))


def summary_request(model: str, company_name: str, state: ConversationState,
                    extractive: str) -> LlmRequest:
    """What Gemini is asked: the transcript, and the outcome as the call log recorded it."""
    transcript = "\n".join(f"{'Caller' if role == 'caller' else 'Agent'}: {text}"
                           for role, text in state.history)
    prompt = (f"Transcript:\n{transcript or '(nothing was said)'}\n\n"
              f"Recorded outcome: {extractive}")
    return LlmRequest(
        model=model, system_prompt=SUMMARY_INSTRUCTIONS.format(company=company_name),
        history=(ChatMessage("caller", prompt),), temperature=0.2, max_output_tokens=200,
    )


async def drafted_summary(drafter: LanguageModel | None, model: str, company_name: str,
                          state: ConversationState, extractive: str) -> str:
    """Gemini's summary when it gives one in time, else the extractive one."""
    if drafter is None:
        return extractive
    drafted = await draft_text(drafter, summary_request(model, company_name, state,
                                                        extractive))
    return clip(drafted, SUMMARY_LIMIT) if drafted else extractive
