"""`BookingConversation`: books, moves and cancels visits by phone, one question at a time.

What the visit is for → when → two concrete free times → name, service address, callback
number (the caller id, confirmed) → read back → book → confirm. Questions are the company's
booking-script template's. Everything the flow knows lives in `state.slots` as strings, so
a call restored from its checkpoint continues mid-booking. This module reads each answer
at its step; where the booking goes next is `booking_progress`'s, and what it asks of the
calendar (free times, the visit booked or moved) `booking_visits`'s, through a
`BookingCalendar`: no I/O of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from runtime.conversation.booking import (
    BookingCalendar,
    BookingReply,
    Visit,
)
from runtime.conversation.booking_answers import (
    CANCEL_WORDS,
    MANAGE_PHRASES,
    MOVE_WORDS,
    QUESTION_STARTS,
    Choice,
    changes_time,
    describes_the_job,
    field_named,
    is_no,
    is_yes,
    offer_choice,
    read_address,
    read_name,
    read_phone,
    spoken_when,
)
from runtime.conversation.booking_progress import (
    ask,
    change,
    finished,
    keep,
    next_question,
    question,
    retry,
    take_message,
)
from runtime.conversation.booking_script import BookingScript, Step
from runtime.conversation.booking_tools import BOOK_TOOL, FIND_SLOTS_TOOL
from runtime.conversation.booking_visits import book, move, offer, service_in
from runtime.conversation.context import CallContext
from runtime.conversation.dates import WhenWanted, parse_when
from runtime.conversation.intents import wants_booking
from runtime.conversation.outcome import Appointment
from runtime.conversation.snapshot import CompanySnapshot
from runtime.conversation.state import ConversationState
from runtime.conversation.text import find_any, normalize
from runtime.providers.base import ToolSpec

MAX_DECLINES = 2  # rounds of offers the caller may turn down before we take a message


def _utc_now() -> datetime:
    return datetime.now(UTC)


class BookingConversation:
    """A `BookingHandler` for one call, over the company's `BookingCalendar`."""

    def __init__(self, calendar: BookingCalendar,
                 clock: Callable[[], datetime] = _utc_now) -> None:
        self._calendar = calendar
        self._clock = clock

    @property
    def tools(self) -> tuple[ToolSpec, ...]:
        return FIND_SLOTS_TOOL, BOOK_TOOL

    def wants(self, state: ConversationState, utterance: str) -> bool:
        text = normalize(utterance)
        return wants_booking(utterance) or find_any(text, MANAGE_PHRASES) is not None

    def is_aside(self, state: ConversationState, utterance: str) -> bool:
        text = normalize(utterance)
        asks = utterance.rstrip().endswith("?") or text.startswith(QUESTION_STARTS)
        return asks and state.slots.get("step") not in (None, "")

    def resume_prompt(self, snapshot: CompanySnapshot, state: ConversationState,
                      ctx: CallContext) -> str:
        script = BookingScript.of(snapshot, ctx, self._now(snapshot))
        state.slots["turn"] = str(state.turn_count)  # the aside kept the booking going
        return f"Now, back to your booking. {ask(script, state)}"

    async def on_tool_call(self, snapshot: CompanySnapshot, state: ConversationState,
                           ctx: CallContext, name: str, arguments: dict[str, Any]
                           ) -> BookingReply:
        """The model's tools run the same flow: `find_slots` goes straight to two free times."""
        service, when = (str(arguments.get(key) or "").strip()
                         for key in ("service", "preferred_time"))
        if name != FIND_SLOTS_TOOL.name:
            return await self.reply(snapshot, state, ctx,
                                    f"{service} {when}".strip() or "book an appointment")
        script = BookingScript.of(snapshot, ctx, self._now(snapshot))
        state.slots.clear()
        state.slots.update({"step": Step.WHEN, "turn": str(state.turn_count),
                            "issue": service[:300],
                            "service": self._service_in(normalize(service))
                            or self._calendar.services[0]})
        return await self._on_when(script, state, when or "as soon as possible")

    async def reply(self, snapshot: CompanySnapshot, state: ConversationState,
                    ctx: CallContext, utterance: str) -> BookingReply:
        script = BookingScript.of(snapshot, ctx, self._now(snapshot))
        slots = state.slots
        step = slots.get("step", "")
        if step and slots.get("turn") != str(state.turn_count - 1):
            step = ""  # left unfinished turns ago (an error, an emergency): start afresh
        if not step:
            reply = await self._start(script, state, utterance)
        elif step not in (Step.WHEN, Step.OFFER, Step.MANAGE, Step.CANCEL) \
                and changes_time(utterance, script.now):
            reply = await self._new_when(script, state, utterance)
        else:
            reply = await getattr(self, f"_on_{step}")(script, state, utterance)
        if reply.done:
            slots.clear()  # the next booking request starts afresh
        else:
            slots["turn"] = str(state.turn_count)  # answered: the next turn continues here
        return reply

    # --- starting ------------------------------------------------------------------------

    async def _start(self, script: BookingScript, state: ConversationState,
                     utterance: str) -> BookingReply:
        text = normalize(utterance)
        state.slots.clear()
        if find_any(text, MANAGE_PHRASES) or find_any(text, ("reschedule",)):
            visits = await self._calendar.upcoming(script.ctx.caller_number)
            if visits:
                return self._manage(script, state, visits[0], text)
            state.slots["step"] = Step.SERVICE
            return BookingReply("I don't see an upcoming visit for this number, but I can book "
                                f"one. {script.prompt(Step.SERVICE, state.slots)}")
        if script.ctx.contact is not None and script.ctx.contact.name:
            state.slots["name"] = script.ctx.contact.name
        state.slots["step"] = Step.SERVICE
        if self._service_in(text) is not None or describes_the_job(text):
            return await self._on_service(script, state, utterance)
        return question(script, state)

    def _manage(self, script: BookingScript, state: ConversationState, visit: Visit,
                text: str) -> BookingReply:
        slots = state.slots
        slots.update({"visit": visit.id, "service": visit.service,
                      "visitStart": visit.start.isoformat()})
        when = spoken_when(visit.start, script.now)
        if find_any(text, CANCEL_WORDS):
            slots["step"] = Step.CANCEL
            return BookingReply(f"I see your {visit.service} visit {when}. "
                                "Would you like me to cancel it?")
        if find_any(text, MOVE_WORDS):
            slots["step"] = Step.WHEN
            return BookingReply(f"I see your {visit.service} visit {when}. "
                                "What day and time would work better?")
        slots["step"] = Step.MANAGE
        return BookingReply(f"Your {visit.service} visit is {when}. Would you like to keep "
                            "it, reschedule it, or cancel it?")

    # --- one handler per step --------------------------------------------------------------

    async def _on_manage(self, script: BookingScript, state: ConversationState,
                         utterance: str) -> BookingReply:
        text = normalize(utterance)
        if find_any(text, CANCEL_WORDS):
            state.slots["step"] = Step.CANCEL
            return BookingReply("Just to be sure: cancel that visit?")
        if find_any(text, MOVE_WORDS):
            state.slots["step"] = Step.WHEN
            return BookingReply("Sure. What day and time would work better?")
        if find_any(text, ("keep", "leave it", "thats fine", "no change")) or is_yes(utterance):
            return finished("Great, you're all set. Is there anything else I can help with?")
        return retry(script, state, "Would you like to keep it, reschedule it, or cancel it?")

    async def _on_cancel(self, script: BookingScript, state: ConversationState,
                         utterance: str) -> BookingReply:
        slots = state.slots
        if is_yes(utterance):
            await self._calendar.cancel(slots["visit"])
            appointment = Appointment(slots["visit"], slots["service"], slots["visitStart"],
                                      change="cancelled")
            return finished("Okay, your visit is cancelled. Is there anything else I can "
                            "help with?", appointment)
        if is_no(utterance):
            return finished("Okay, I'll keep it as it is. Anything else I can help with?")
        return retry(script, state, "Sorry, should I cancel that visit, yes or no?")

    async def _on_service(self, script: BookingScript, state: ConversationState,
                          utterance: str) -> BookingReply:
        text = normalize(utterance)
        if len(text) < 2:
            return retry(script, state)
        service = self._service_in(text) or self._calendar.services[0]
        state.slots.update({"service": service, "issue": utterance.strip()[:300]})
        if parse_when(utterance, script.now) is not None:
            return await self._new_when(script, state, utterance)
        return next_question(script, state)

    async def _on_when(self, script: BookingScript, state: ConversationState,
                       utterance: str) -> BookingReply:
        wanted = parse_when(utterance, script.now)
        if wanted is None and not script.time_required and len(normalize(utterance)) > 0:
            wanted = WhenWanted(script.now.date(), asap=True)
        if wanted is None:
            return retry(script, state, "Sorry, what day works for you? You can say "
                         "something like tomorrow morning, or next Tuesday after 2.")
        return await offer(self._calendar, script, state, wanted, after=None)

    async def _on_offer(self, script: BookingScript, state: ConversationState,
                        utterance: str) -> BookingReply:
        slots = state.slots
        offers = [datetime.fromisoformat(iso) for iso in slots.get("offers", "").split("|") if iso]
        choice = offer_choice(utterance, offers)
        wanted = parse_when(utterance, script.now)
        if choice in (Choice.UNCLEAR, Choice.DECLINE) and wanted is not None:
            return await offer(self._calendar, script, state, wanted, after=None)
        if choice is Choice.DECLINE:
            declines = int(slots.get("declines", "0")) + 1
            slots["declines"] = str(declines)
            if declines >= MAX_DECLINES:
                return take_message(script, state, "I'm sorry I couldn't find a time "
                                    "that works.")
            return await offer(self._calendar, script, state, WhenWanted.from_slots(slots),
                               after=offers[-1])
        if choice is Choice.UNCLEAR:
            return retry(script, state, f"Sorry, which works better: "
                         f"{script.times(offers)}?")
        start = offers[1] if choice is Choice.SECOND else offers[0]
        slots["start"] = start.isoformat()
        if slots.get("visit"):
            return await move(self._calendar, script, state, start)
        return next_question(script, state)

    async def _on_name(self, script: BookingScript, state: ConversationState,
                       utterance: str) -> BookingReply:
        return keep(script, state, "name", read_name(utterance),
                    "Sorry, could I have your name please?")

    async def _on_address(self, script: BookingScript, state: ConversationState,
                          utterance: str) -> BookingReply:
        return keep(script, state, "address", read_address(utterance),
                    "Sorry, I need the street address with the house number, for "
                    "example 12 Palm Avenue, Fort Myers.")

    async def _on_callback(self, script: BookingScript, state: ConversationState,
                           utterance: str) -> BookingReply:
        number = read_phone(utterance)
        if number is None and is_yes(utterance) and read_phone(script.ctx.caller_number):
            number = script.ctx.caller_number
        if number is None and is_no(utterance):
            state.slots["step"] = Step.CALLBACK_NUMBER
            return BookingReply("What's the best number to reach you?")
        return keep(script, state, "callbackNumber", number, None)

    async def _on_callback_number(self, script: BookingScript, state: ConversationState,
                                  utterance: str) -> BookingReply:
        return keep(script, state, "callbackNumber", read_phone(utterance),
                    "Sorry, I didn't get that number. Could you say it digit by digit, "
                    "with the area code?")

    async def _on_confirm(self, script: BookingScript, state: ConversationState,
                          utterance: str) -> BookingReply:
        text = normalize(utterance)
        field = field_named(text, marked=True)
        if field is not None:
            return change(script, state, field)
        if is_yes(utterance):
            return await book(self._calendar, script, state)
        if is_no(utterance):
            state.slots["step"] = Step.CHANGE
            return BookingReply("No problem. What should I change: the time, the address, "
                                "the name, or the phone number?")
        return retry(script, state)

    async def _on_change(self, script: BookingScript, state: ConversationState,
                         utterance: str) -> BookingReply:
        field = field_named(normalize(utterance), marked=False)
        if field is None:
            return retry(script, state, "Which should I change: the time, the address, "
                         "the name, or the phone number?")
        return change(script, state, field)

    async def _new_when(self, script: BookingScript, state: ConversationState,
                        utterance: str) -> BookingReply:
        """The caller names another time mid-booking: offer times for it instead."""
        wanted = parse_when(utterance, script.now)
        if wanted is None:
            return retry(script, state)
        state.slots.pop("start", None)
        return await offer(self._calendar, script, state, wanted, after=None)

    # --- small readers ---------------------------------------------------------------------

    def _now(self, snapshot: CompanySnapshot) -> datetime:
        return self._clock().astimezone(ZoneInfo(snapshot.timezone))

    def _service_in(self, text: str) -> str | None:
        return service_in(self._calendar, text)

