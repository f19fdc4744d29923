"""`BookingConversation`: books, moves and cancels visits by phone, one question at a time.

What the visit is for → when → two concrete free times → name, service address, callback
number (the caller id, confirmed) → read back → book → confirm. Questions are the company's
booking-script template's. Everything the flow knows lives in `state.slots` as strings, so
a call restored from its checkpoint continues mid-booking. Availability and booking go
through a `BookingCalendar`; this module does no I/O of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from runtime.conversation.booking import (
    BookingCalendar,
    BookingReply,
    SlotUnavailable,
    Visit,
    VisitRequest,
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
    spoken_phone,
    spoken_when,
)
from runtime.conversation.booking_script import BookingScript, Step
from runtime.conversation.booking_tools import BOOK_TOOL, FIND_SLOTS_TOOL
from runtime.conversation.context import CallContext
from runtime.conversation.dates import WhenWanted, parse_when
from runtime.conversation.intents import wants_booking
from runtime.conversation.outcome import Appointment
from runtime.conversation.snapshot import CompanySnapshot
from runtime.conversation.state import ConversationState
from runtime.conversation.text import find_any, normalize
from runtime.providers.base import ToolSpec

OFFERS = 2  # concrete times offered at once
MAX_DECLINES = 2  # rounds of offers the caller may turn down before we take a message
MAX_RETRIES = 3  # answers we could not use at one step before we take a message



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
        return f"Now, back to your booking. {self._ask(script, state)}"

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
        return self._question(script, state)

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
            return self._finished("Great, you're all set. Is there anything else I can help with?")
        return self._retry(script, state, "Would you like to keep it, reschedule it, or cancel it?")

    async def _on_cancel(self, script: BookingScript, state: ConversationState,
                         utterance: str) -> BookingReply:
        slots = state.slots
        if is_yes(utterance):
            await self._calendar.cancel(slots["visit"])
            appointment = Appointment(slots["visit"], slots["service"], slots["visitStart"],
                                      change="cancelled")
            return self._finished("Okay, your visit is cancelled. Is there anything else I can "
                                  "help with?", appointment)
        if is_no(utterance):
            return self._finished("Okay, I'll keep it as it is. Anything else I can help with?")
        return self._retry(script, state, "Sorry, should I cancel that visit, yes or no?")

    async def _on_service(self, script: BookingScript, state: ConversationState,
                          utterance: str) -> BookingReply:
        text = normalize(utterance)
        if len(text) < 2:
            return self._retry(script, state)
        service = self._service_in(text) or self._calendar.services[0]
        state.slots.update({"service": service, "issue": utterance.strip()[:300]})
        if parse_when(utterance, script.now) is not None:
            return await self._new_when(script, state, utterance)
        return self._next(script, state)

    async def _on_when(self, script: BookingScript, state: ConversationState,
                       utterance: str) -> BookingReply:
        wanted = parse_when(utterance, script.now)
        if wanted is None and not script.time_required and len(normalize(utterance)) > 0:
            wanted = WhenWanted(script.now.date(), asap=True)
        if wanted is None:
            return self._retry(script, state, "Sorry, what day works for you? You can say "
                               "something like tomorrow morning, or next Tuesday after 2.")
        return await self._offer(script, state, wanted, after=None)

    async def _on_offer(self, script: BookingScript, state: ConversationState,
                        utterance: str) -> BookingReply:
        slots = state.slots
        offers = [datetime.fromisoformat(iso) for iso in slots.get("offers", "").split("|") if iso]
        choice = offer_choice(utterance, offers)
        wanted = parse_when(utterance, script.now)
        if choice in (Choice.UNCLEAR, Choice.DECLINE) and wanted is not None:
            return await self._offer(script, state, wanted, after=None)
        if choice is Choice.DECLINE:
            declines = int(slots.get("declines", "0")) + 1
            slots["declines"] = str(declines)
            if declines >= MAX_DECLINES:
                return self._take_message(script, state, "I'm sorry I couldn't find a time "
                                          "that works.")
            return await self._offer(script, state, WhenWanted.from_slots(slots), after=offers[-1])
        if choice is Choice.UNCLEAR:
            return self._retry(script, state, f"Sorry, which works better: "
                               f"{script.times(offers)}?")
        start = offers[1] if choice is Choice.SECOND else offers[0]
        slots["start"] = start.isoformat()
        if slots.get("visit"):
            return await self._move(script, state, start)
        return self._next(script, state)

    async def _on_name(self, script: BookingScript, state: ConversationState,
                       utterance: str) -> BookingReply:
        return self._keep(script, state, "name", read_name(utterance),
                          "Sorry, could I have your name please?")

    async def _on_address(self, script: BookingScript, state: ConversationState,
                          utterance: str) -> BookingReply:
        return self._keep(script, state, "address", read_address(utterance),
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
        return self._keep(script, state, "callbackNumber", number, None)

    async def _on_callback_number(self, script: BookingScript, state: ConversationState,
                                  utterance: str) -> BookingReply:
        return self._keep(script, state, "callbackNumber", read_phone(utterance),
                          "Sorry, I didn't get that number. Could you say it digit by digit, "
                          "with the area code?")

    async def _on_confirm(self, script: BookingScript, state: ConversationState,
                          utterance: str) -> BookingReply:
        text = normalize(utterance)
        field = field_named(text, marked=True)
        if field is not None:
            return self._change(script, state, field, utterance)
        if is_yes(utterance):
            return await self._book(script, state)
        if is_no(utterance):
            state.slots["step"] = Step.CHANGE
            return BookingReply("No problem. What should I change: the time, the address, "
                                "the name, or the phone number?")
        return self._retry(script, state)

    async def _on_change(self, script: BookingScript, state: ConversationState,
                         utterance: str) -> BookingReply:
        field = field_named(normalize(utterance), marked=False)
        if field is None:
            return self._retry(script, state, "Which should I change: the time, the address, "
                               "the name, or the phone number?")
        return self._change(script, state, field, utterance)

    # --- moving on -------------------------------------------------------------------------

    def _keep(self, script: BookingScript, state: ConversationState, slot: str,
              value: str | None, hint: str | None) -> BookingReply:
        """Store a usable answer and move on; ask again (with `hint`) when there is none."""
        if value is None:
            return self._retry(script, state, hint)
        state.slots[slot] = value
        return self._next(script, state)

    def _next(self, script: BookingScript, state: ConversationState) -> BookingReply:
        """Ask for the first detail still missing; with none missing, read the booking back."""
        slots = state.slots
        slots["retries"] = "0"
        for step, slot in ((Step.SERVICE, "service"), (Step.WHEN, "start"), (Step.NAME, "name"),
                           (Step.ADDRESS, "address"), (Step.CALLBACK, "callbackNumber")):
            if not slots.get(slot):
                if step is Step.CALLBACK and read_phone(script.ctx.caller_number) is None:
                    step = Step.CALLBACK_NUMBER  # no usable caller id to confirm
                slots["step"] = step
                return self._question(script, state)
        slots["step"] = Step.CONFIRM
        return self._question(script, state)

    def _question(self, script: BookingScript, state: ConversationState) -> BookingReply:
        return BookingReply(self._ask(script, state))

    def _ask(self, script: BookingScript, state: ConversationState) -> str:
        return script.prompt(Step(state.slots.get("step") or Step.SERVICE), state.slots)

    def _retry(self, script: BookingScript, state: ConversationState,
               hint: str | None = None) -> BookingReply:
        retries = int(state.slots.get("retries", "0")) + 1
        state.slots["retries"] = str(retries)
        if retries >= MAX_RETRIES:
            return self._take_message(script, state, "I'm having trouble getting that right.")
        return BookingReply(hint or f"Sorry, I didn't catch that. {self._ask(script, state)}")

    async def _new_when(self, script: BookingScript, state: ConversationState,
                        utterance: str) -> BookingReply:
        wanted = parse_when(utterance, script.now)
        if wanted is None:
            return self._retry(script, state)
        state.slots.pop("start", None)
        return await self._offer(script, state, wanted, after=None)

    async def _offer(self, script: BookingScript, state: ConversationState, wanted: WhenWanted,
                     *, after: datetime | None) -> BookingReply:
        """Offer the next two free times that fit; say so when the day asked for is full."""
        slots = state.slots
        slots.update(wanted.to_slots())
        if after is not None:  # the times after those already offered
            start_from = after + timedelta(minutes=1)
        else:
            start_from = datetime.combine(wanted.first_day, wanted.earliest or time(0),
                                          script.now.tzinfo)
        service = slots.get("service") or self._calendar.services[0]
        offers = await self._calendar.free_slots(service, start_from, OFFERS, wanted.fits)
        if not offers:
            offers = await self._calendar.free_slots(service, start_from, OFFERS, _anytime)
        if not offers:
            return self._take_message(script, state, "I'm sorry, I don't have any openings "
                                      "in the schedule right now.")
        slots.update({"offers": "|".join(offer.isoformat() for offer in offers),
                      "step": Step.OFFER, "retries": "0"})
        full = wanted.exact_day and offers[0].date() != wanted.first_day
        preface = (f"I'm sorry, {wanted.first_day:%A} is fully booked. The closest I have is"
                   if full else "I can do")
        return BookingReply(f"{preface} {script.times(offers)}. "
                            "Which works better for you?")

    def _change(self, script: BookingScript, state: ConversationState, field: str,
                utterance: str) -> BookingReply:
        """The caller corrects one detail: forget it and ask (or take it) again."""
        slots = state.slots
        slots.pop(field, None)
        if field == "start":
            slots["step"] = Step.WHEN
            return BookingReply("Sure. What day and time would work better?")
        step = {"name": Step.NAME, "address": Step.ADDRESS,
                "callbackNumber": Step.CALLBACK_NUMBER}[field]
        slots["step"] = step
        return self._question(script, state)

    async def _book(self, script: BookingScript, state: ConversationState) -> BookingReply:
        slots = state.slots
        start = datetime.fromisoformat(slots["start"])
        request = VisitRequest(
            service=slots["service"], start=start, name=slots["name"],
            phone=slots["callbackNumber"], address=slots["address"],
            notes=slots.get("issue", ""), call_sid=script.ctx.call_sid,
        )
        try:
            visit = await self._calendar.book(request)
        except SlotUnavailable:
            slots.pop("start", None)
            offered = await self._offer(script, state, WhenWanted.from_slots(slots), after=start)
            return BookingReply(f"I'm sorry, that time was just taken. {offered.text}")
        appointment = Appointment(visit.id, visit.service, visit.start.isoformat())
        return self._finished(
            f"You're all set! We'll see you {spoken_when(visit.start, script.now)} at "
            f"{visit.address}, and we'll call {spoken_phone(request.phone)} if anything "
            "changes. Is there anything else I can help with?", appointment)

    async def _move(self, script: BookingScript, state: ConversationState,
                    start: datetime) -> BookingReply:
        slots = state.slots
        try:
            visit = await self._calendar.move(slots["visit"], start)
        except SlotUnavailable:
            offered = await self._offer(script, state, WhenWanted.from_slots(slots), after=start)
            return BookingReply(f"I'm sorry, that time was just taken. {offered.text}")
        appointment = Appointment(visit.id, visit.service, visit.start.isoformat(),
                                  change="rescheduled")
        return self._finished(f"Done! I've moved your visit to "
                              f"{spoken_when(visit.start, script.now)}. Is there anything else "
                              "I can help with?", appointment)

    def _take_message(self, script: BookingScript, state: ConversationState,
                      preface: str) -> BookingReply:
        slots = state.slots
        about = f"Booking request: {slots.get('issue') or slots.get('service', 'a visit')}"
        state.slots.clear()
        return BookingReply(f"{preface} {script.message_prompt}", done=True, take_message=True,
                            message_context=about[:300] + ".")

    @staticmethod
    def _finished(text: str, appointment: Appointment | None = None) -> BookingReply:
        return BookingReply(text, done=True, confidence=1.0, appointment=appointment)

    # --- small readers ---------------------------------------------------------------------

    def _now(self, snapshot: CompanySnapshot) -> datetime:
        return self._clock().astimezone(ZoneInfo(snapshot.timezone))

    def _service_in(self, text: str) -> str | None:
        for name in self._calendar.services:
            if find_any(text, (name, *name.lower().split())) and len(name) > 2:
                return name
        return None


def _anytime(_: datetime) -> bool:
    return True

