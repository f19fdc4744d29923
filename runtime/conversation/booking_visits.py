"""What a booking asks of the company's calendar (`BookingCalendar`): two free times to
offer, the visit booked or moved, and the words for each. A time taken meanwhile by
another caller is answered with the next free ones; no free time at all, with a message.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from runtime.conversation.booking import (
    BookingCalendar,
    BookingReply,
    SlotUnavailable,
    VisitRequest,
)
from runtime.conversation.booking_answers import spoken_phone, spoken_when
from runtime.conversation.booking_progress import finished, take_message
from runtime.conversation.booking_script import BookingScript, Step
from runtime.conversation.dates import WhenWanted
from runtime.conversation.outcome import Appointment
from runtime.conversation.state import ConversationState
from runtime.conversation.text import find_any

OFFERS = 2  # concrete times offered at once


def service_in(calendar: BookingCalendar, text: str) -> str | None:
    """The calendar's service the caller named in `text`, if any."""
    for name in calendar.services:
        if find_any(text, (name, *name.lower().split())) and len(name) > 2:
            return name
    return None


async def offer(calendar: BookingCalendar, script: BookingScript, state: ConversationState,
                wanted: WhenWanted, *, after: datetime | None) -> BookingReply:
    """Offer the next two free times that fit; say so when the day asked for is full."""
    slots = state.slots
    slots.update(wanted.to_slots())
    if after is not None:  # the times after those already offered
        start_from = after + timedelta(minutes=1)
    else:
        start_from = datetime.combine(wanted.first_day, wanted.earliest or time(0),
                                      script.now.tzinfo)
    service = slots.get("service") or calendar.services[0]
    offers = await calendar.free_slots(service, start_from, OFFERS, wanted.fits)
    if not offers:
        offers = await calendar.free_slots(service, start_from, OFFERS, _anytime)
    if not offers:
        return take_message(script, state, "I'm sorry, I don't have any openings "
                            "in the schedule right now.")
    slots.update({"offers": "|".join(offer.isoformat() for offer in offers),
                  "step": Step.OFFER, "retries": "0"})
    full = wanted.exact_day and offers[0].date() != wanted.first_day
    preface = (f"I'm sorry, {wanted.first_day:%A} is fully booked. The closest I have is"
               if full else "I can do")
    return BookingReply(f"{preface} {script.times(offers)}. "
                        "Which works better for you?")


async def book(calendar: BookingCalendar, script: BookingScript,
               state: ConversationState) -> BookingReply:
    slots = state.slots
    start = datetime.fromisoformat(slots["start"])
    request = VisitRequest(
        service=slots["service"], start=start, name=slots["name"],
        phone=slots["callbackNumber"], address=slots["address"],
        notes=slots.get("issue", ""), call_sid=script.ctx.call_sid,
    )
    try:
        visit = await calendar.book(request)
    except SlotUnavailable:
        slots.pop("start", None)
        return await _taken_meanwhile(calendar, script, state, start)
    appointment = Appointment(visit.id, visit.service, visit.start.isoformat())
    return finished(
        f"You're all set! We'll see you {spoken_when(visit.start, script.now)} at "
        f"{visit.address}, and we'll call {spoken_phone(request.phone)} if anything "
        "changes. Is there anything else I can help with?", appointment)


async def move(calendar: BookingCalendar, script: BookingScript, state: ConversationState,
               start: datetime) -> BookingReply:
    slots = state.slots
    try:
        visit = await calendar.move(slots["visit"], start)
    except SlotUnavailable:
        return await _taken_meanwhile(calendar, script, state, start)
    appointment = Appointment(visit.id, visit.service, visit.start.isoformat(),
                              change="rescheduled")
    return finished(f"Done! I've moved your visit to "
                    f"{spoken_when(visit.start, script.now)}. Is there anything else "
                    "I can help with?", appointment)


async def _taken_meanwhile(calendar: BookingCalendar, script: BookingScript,
                           state: ConversationState, start: datetime) -> BookingReply:
    """The time chosen was booked by someone else meanwhile: the next free ones instead."""
    offered = await offer(calendar, script, state, WhenWanted.from_slots(state.slots),
                          after=start)
    return BookingReply(f"I'm sorry, that time was just taken. {offered.text}")


def _anytime(_: datetime) -> bool:
    return True
