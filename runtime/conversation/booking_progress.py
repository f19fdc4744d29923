"""Where a booking goes after an answer, calendar aside: the answer kept and the next
missing detail asked for (the booking read back once none is), the question asked again
(a message taken instead after `MAX_RETRIES`), a detail corrected, or the booking done.
Everything is kept in `state.slots`, as strings.
"""

from __future__ import annotations

from runtime.conversation.booking import BookingReply
from runtime.conversation.booking_answers import read_phone
from runtime.conversation.booking_script import BookingScript, Step
from runtime.conversation.outcome import Appointment
from runtime.conversation.state import ConversationState

MAX_RETRIES = 3  # answers we could not use at one step before we take a message


def keep(script: BookingScript, state: ConversationState, slot: str, value: str | None,
         hint: str | None) -> BookingReply:
    """Store a usable answer and move on; ask again (with `hint`) when there is none."""
    if value is None:
        return retry(script, state, hint)
    state.slots[slot] = value
    return next_question(script, state)


def next_question(script: BookingScript, state: ConversationState) -> BookingReply:
    """Ask for the first detail still missing; with none missing, read the booking back."""
    slots = state.slots
    slots["retries"] = "0"
    for step, slot in ((Step.SERVICE, "service"), (Step.WHEN, "start"), (Step.NAME, "name"),
                       (Step.ADDRESS, "address"), (Step.CALLBACK, "callbackNumber")):
        if not slots.get(slot):
            if step is Step.CALLBACK and read_phone(script.ctx.caller_number) is None:
                step = Step.CALLBACK_NUMBER  # no usable caller id to confirm
            slots["step"] = step
            return question(script, state)
    slots["step"] = Step.CONFIRM
    return question(script, state)


def question(script: BookingScript, state: ConversationState) -> BookingReply:
    return BookingReply(ask(script, state))


def ask(script: BookingScript, state: ConversationState) -> str:
    """The script's question for the step the booking is at."""
    return script.prompt(Step(state.slots.get("step") or Step.SERVICE), state.slots)


def retry(script: BookingScript, state: ConversationState,
          hint: str | None = None) -> BookingReply:
    retries = int(state.slots.get("retries", "0")) + 1
    state.slots["retries"] = str(retries)
    if retries >= MAX_RETRIES:
        return take_message(script, state, "I'm having trouble getting that right.")
    return BookingReply(hint or f"Sorry, I didn't catch that. {ask(script, state)}")


def change(script: BookingScript, state: ConversationState, field: str) -> BookingReply:
    """The caller corrects one detail: forget it and ask (or take it) again."""
    slots = state.slots
    slots.pop(field, None)
    if field == "start":
        slots["step"] = Step.WHEN
        return BookingReply("Sure. What day and time would work better?")
    step = {"name": Step.NAME, "address": Step.ADDRESS,
            "callbackNumber": Step.CALLBACK_NUMBER}[field]
    slots["step"] = step
    return question(script, state)


def take_message(script: BookingScript, state: ConversationState,
                 preface: str) -> BookingReply:
    """Give the booking up: the caller is asked for a message about what they wanted."""
    slots = state.slots
    about = f"Booking request: {slots.get('issue') or slots.get('service', 'a visit')}"
    state.slots.clear()
    return BookingReply(f"{preface} {script.message_prompt}", done=True, take_message=True,
                        message_context=about[:300] + ".")


def finished(text: str, appointment: Appointment | None = None) -> BookingReply:
    return BookingReply(text, done=True, confidence=1.0, appointment=appointment)
