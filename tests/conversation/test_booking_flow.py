"""The booking conversation, turn by turn, against an offline calendar."""

from __future__ import annotations

from booking_builders import FakeCalendar, booking_policy, local
from policy_builders import (
    OFFICE_HOURS,
    FakeModel,
    make_company,
    make_context,
    make_snapshot,
    say,
    talk,
)

from runtime.conversation import (
    CallerContact,
    ConversationState,
    DialoguePolicy,
    Hangup,
    Mode,
    TakeMessage,
    Tier,
    Transfer,
)
from runtime.conversation.booking_flow import BookingConversation
from runtime.providers.base import ToolCall


async def test_a_full_booking_follows_the_trade_script_and_books_the_chosen_time():
    policy, state, ctx, calendar = booking_policy()
    first = await say(policy, state, ctx, "Hi, I need to schedule an appointment")
    assert first.tier == Tier.BOOKING and state.mode is Mode.BOOKING
    assert first.text.startswith("Is this for heating, cooling, or a tune-up")  # HVAC script
    when = await say(policy, state, ctx, "the AC is blowing warm air")
    assert when.text == "What day and time work best for you?"
    offers = await say(policy, state, ctx, "tomorrow morning")
    assert offers.text == ("I can do tomorrow at 9 AM or tomorrow at 10 AM. "
                           "Which works better for you?")
    name = await say(policy, state, ctx, "the second one")
    assert name.text == "Sure, I can set that up. May I have your name?"
    address = await say(policy, state, ctx, "my name is Pat Doe")
    assert address.text == "What's the address where you need the service?"
    callback = await say(policy, state, ctx, "It's 12 Palm Avenue, Fort Myers")
    assert callback.text == "Is 239-555-7777 the best number to reach you?"
    readback = await say(policy, state, ctx, "yes")
    assert readback.text == (
        "Let me confirm: repair at 12 Palm Avenue, Fort Myers on tomorrow at 10 AM, and we'll "
        "call Pat Doe at 239-555-7777 if anything changes. Is that right?")
    assert calendar.requests == []  # nothing is booked before the caller confirms
    booked = await say(policy, state, ctx, "yes that's right")
    assert booked.text.startswith("You're all set! We'll see you tomorrow at 10 AM")
    assert state.mode is Mode.CONVERSATION and state.slots == {}
    [request] = calendar.requests
    assert (request.start, request.name, request.phone, request.address) == (
        local(16, 10), "Pat Doe", "+12395557777", "12 Palm Avenue, Fort Myers")
    assert request.notes == "the AC is blowing warm air" and request.call_sid == ctx.call_sid
    assert booked.appointment is not None and booked.appointment.change == "booked"
    assert booked.appointment.start == "2025-01-16T10:00:00-05:00"


async def test_the_caller_changes_the_time_at_the_read_back_and_keeps_the_rest():
    policy, state, ctx, calendar = booking_policy()
    await talk(policy, state, ctx, "can I book a visit", "furnace tune-up", "tomorrow morning",
               "the first", "Pat", "12 Palm Ave", "yes")
    offers = await say(policy, state, ctx, "actually, can we do Friday afternoon instead?")
    assert offers.text.startswith("I can do Friday, January 17 at 2 PM")
    readback = await say(policy, state, ctx, "that works")
    assert "on Friday, January 17 at 2 PM" in readback.text and "Pat" in readback.text
    booked = await say(policy, state, ctx, "yes")
    assert [r.start for r in calendar.requests] == [local(17, 14)]
    assert booked.appointment is not None


async def test_no_at_the_read_back_asks_what_to_change_and_changes_only_that():
    policy, state, ctx, calendar = booking_policy()
    await talk(policy, state, ctx, "book an appointment", "repair", "Thursday at 2", "yes",
               "Pat", "12 Palm Ave", "yes")
    which = await say(policy, state, ctx, "no")
    assert "What should I change" in which.text
    ask = await say(policy, state, ctx, "the address")
    assert ask.text == "What's the address where you need the service?"
    readback = await say(policy, state, ctx, "400 Gulf Shore Blvd, Naples")
    assert "at 400 Gulf Shore Blvd, Naples on tomorrow at 2 PM" in readback.text
    await say(policy, state, ctx, "yes")
    assert calendar.requests[0].address == "400 Gulf Shore Blvd, Naples"


async def test_declining_every_offer_ends_in_taking_a_message():
    policy, state, ctx, _ = booking_policy()
    await talk(policy, state, ctx, "I want to book a repair", "tomorrow")
    more = await say(policy, state, ctx, "neither of those work")
    assert more.text.startswith("I can do tomorrow at 11 AM or tomorrow at 2 PM")
    message = await say(policy, state, ctx, "no, none of those")
    assert "couldn't find a time" in message.text and state.mode is Mode.MESSAGE
    taken = await say(policy, state, ctx, "Pat, call me at 239 555 0100 about the repair")
    assert isinstance(taken.action, TakeMessage)
    assert taken.action.message.startswith("Booking request: I want to book a repair.")


async def test_a_question_mid_booking_is_answered_and_the_booking_resumes():
    policy, state, ctx, calendar = booking_policy()
    await talk(policy, state, ctx, "schedule a visit please", "the heat isn't working",
               "tomorrow morning", "first one")
    aside = await say(policy, state, ctx, "How much do you charge for a service call?")
    assert aside.tier == Tier.KNOWLEDGE and aside.text.startswith("Our service call fee is $89.")
    assert aside.text.endswith("Now, back to your booking. Sure, I can set that up. "
                               "May I have your name?")
    assert state.mode is Mode.BOOKING
    await talk(policy, state, ctx, "Pat Doe", "12 Palm Ave", "yes", "yes")
    assert calendar.requests[0].name == "Pat Doe"


async def test_an_emergency_pre_empts_the_booking():
    policy, state, ctx, calendar = booking_policy()
    await talk(policy, state, ctx, "I'd like to book an appointment", "furnace repair")
    outcome = await say(policy, state, ctx, "wait, I smell gas in the basement")
    assert outcome.tier == Tier.EMERGENCY and isinstance(outcome.action, Transfer)
    assert outcome.action.priority and calendar.requests == []


async def test_a_returning_caller_reschedules_the_upcoming_visit():
    calendar = FakeCalendar()
    visit = calendar.add_visit(local(16, 9), "+12395557777")
    policy, state, ctx, _ = booking_policy(calendar, contact=CallerContact("Pat Doe", 3))
    ask = await say(policy, state, ctx, "I need to reschedule my appointment")
    assert ask.text == ("I see your Repair visit tomorrow at 9 AM. "
                        "What day and time would work better?")
    offers = await say(policy, state, ctx, "Friday afternoon")
    assert offers.text.startswith("I can do Friday, January 17 at 2 PM")
    moved = await say(policy, state, ctx, "the first one")
    assert moved.text.startswith("Done! I've moved your visit to Friday, January 17 at 2 PM.")
    assert moved.appointment is not None and moved.appointment.change == "rescheduled"
    assert calendar.visits[visit.id][0].start == local(17, 14) and local(16, 9) in calendar.free


async def test_a_returning_caller_hears_and_then_cancels_the_visit():
    calendar = FakeCalendar()
    visit = calendar.add_visit(local(16, 9), "+12395557777")
    policy, state, ctx, _ = booking_policy(calendar)
    heard = await say(policy, state, ctx, "when is my appointment?")
    assert heard.text == ("Your Repair visit is tomorrow at 9 AM. Would you like to keep it, "
                          "reschedule it, or cancel it?")
    sure = await say(policy, state, ctx, "cancel it please")
    assert sure.text == "Just to be sure: cancel that visit?"
    done = await say(policy, state, ctx, "yes")
    assert done.text.startswith("Okay, your visit is cancelled.")
    assert calendar.cancelled == [visit.id] and done.appointment.change == "cancelled"


async def test_a_time_taken_meanwhile_gets_new_offers_instead_of_a_double_booking():
    policy, state, ctx, calendar = booking_policy()
    await talk(policy, state, ctx, "book a repair", "tomorrow morning", "first", "Pat",
               "12 Palm Ave", "yes")
    calendar.free.remove(local(16, 9))  # another caller took it
    outcome = await say(policy, state, ctx, "yes")
    assert outcome.text.startswith("I'm sorry, that time was just taken. I can do tomorrow at "
                                   "10 AM or tomorrow at 11 AM.")
    assert calendar.requests == [] and state.slots["step"] == "offer"


async def test_answers_that_do_not_fit_are_asked_again():
    policy, state, ctx, calendar = booking_policy()
    await talk(policy, state, ctx, "book a repair", "tomorrow", "first")
    assert (await say(policy, state, ctx, "123")).text.startswith("Sorry, could I have your name")
    await say(policy, state, ctx, "Pat")
    bad_address = await say(policy, state, ctx, "over by the mall")
    assert "street address with the house number" in bad_address.text
    await say(policy, state, ctx, "12 Palm Ave")
    other = await say(policy, state, ctx, "no, use a different one")
    assert other.text == "What's the best number to reach you?"
    bad = await say(policy, state, ctx, "five five five")
    assert "digit by digit" in bad.text
    readback = await say(policy, state, ctx, "two three nine five five five zero one two three")
    assert "at 239-555-0123 if anything changes" in readback.text


async def test_the_booking_survives_a_checkpoint_mid_flow():
    policy, state, ctx, calendar = booking_policy()
    await talk(policy, state, ctx, "book a repair", "tomorrow morning", "second", "Pat")
    restored = ConversationState.from_dict(state.to_dict())
    flow = BookingConversation(calendar, clock=lambda: policy._clock())
    fresh = DialoguePolicy(policy.snapshot, None, clock=policy._clock, booking=flow)
    readback = await talk(fresh, restored, ctx, "12 Palm Ave", "yes")
    assert "Pat at 239-555-7777" in readback.text
    await say(fresh, restored, ctx, "yes")
    assert calendar.requests[0].start == local(16, 10)


async def test_the_company_script_template_is_used():
    company = make_company(agentSetup={"bookingScriptTemplate": "quick-estimate"})
    policy, state, ctx, _ = booking_policy(snapshot=make_snapshot(company))
    first = await say(policy, state, ctx, "can I book an appointment")
    assert first.text == "What would you like an estimate for?"
    when = await say(policy, state, ctx, "a new furnace")
    assert when.text == "When would be a good time for us to come out and take a look?"
    # the estimate script's time is optional: no preference means the first free times
    offers = await say(policy, state, ctx, "no idea really")
    assert offers.text.startswith("I can do tomorrow at 9 AM or tomorrow at 10 AM")


async def test_a_full_day_is_said_so_and_the_closest_times_are_offered():
    policy, state, ctx, _ = booking_policy(FakeCalendar([local(20, 9), local(20, 10)]))
    await say(policy, state, ctx, "book a repair")
    offers = await say(policy, state, ctx, "this Friday please")
    assert offers.text.startswith("I'm sorry, Friday is fully booked. The closest I have is "
                                  "Monday, January 20 at 9 AM or Monday, January 20 at 10 AM")


async def test_the_model_tool_starts_the_same_flow():
    policy, state, ctx, _ = booking_policy()
    flow = policy._booking
    asked = {"service": "AC repair", "preferred_time": "tomorrow morning"}
    reply = await flow.on_tool_call(policy.snapshot, state, ctx, "book_appointment", asked)
    assert reply.text.startswith("I can do tomorrow at 9 AM")
    assert [tool.name for tool in flow.tools] == ["find_slots", "book_appointment"]
    state = ConversationState.new()
    found = await flow.on_tool_call(policy.snapshot, state, ctx, "find_slots",
                                    {"preferred_time": "Friday afternoon"})
    assert found.text.startswith("I can do Friday, January 17 at 2 PM")
    assert state.slots["step"] == "offer" and state.slots["service"] == "Repair"


async def test_the_model_finding_slots_hands_the_call_to_the_booking_flow():
    model = FakeModel([ToolCall("find_slots", {"preferred_time": "tomorrow afternoon"})])
    calendar = FakeCalendar()
    flow = BookingConversation(calendar, clock=lambda: OFFICE_HOURS)
    policy = DialoguePolicy(make_snapshot(), model, clock=lambda: OFFICE_HOURS, booking=flow)
    state, ctx = ConversationState.new(), make_context()
    offered = await say(policy, state, ctx, "is anybody free tomorrow afternoon for my furnace")
    assert "find_slots" in {tool.name for tool in model.requests[0].tools}
    assert offered.tier == Tier.LLM and "tomorrow at 2 PM or tomorrow at 3 PM" in offered.text
    assert state.mode is Mode.BOOKING
    named = await say(policy, state, ctx, "the first one")
    assert named.tier == Tier.BOOKING and "your name" in named.text


class BrokenOnce(FakeCalendar):
    """A calendar whose next booking attempt fails with an unexpected error."""

    broken = True

    async def book(self, request):
        if self.broken:
            self.broken = False
            raise ConnectionError("redis went away")
        return await super().book(request)


async def test_a_booking_broken_by_an_error_starts_afresh_when_asked_again():
    policy, state, ctx, calendar = booking_policy(BrokenOnce())
    await talk(policy, state, ctx, "book a repair", "tomorrow morning", "first", "Pat",
               "12 Palm Ave", "yes")
    failed = await say(policy, state, ctx, "yes")
    assert failed.fallback_reason == "booking_error: ConnectionError"
    assert state.mode is Mode.CONVERSATION
    again = await say(policy, state, ctx, "can I book an appointment")
    assert again.text.startswith("Is this for heating, cooling, or a tune-up")


async def test_a_short_goodbye_mid_booking_ends_the_call_and_books_nothing():
    policy, state, ctx, calendar = booking_policy()
    await talk(policy, state, ctx, "I want to book a repair", "tomorrow")
    bye = await say(policy, state, ctx, "never mind, bye")
    assert isinstance(bye.action, Hangup) and state.ended and calendar.requests == []


async def test_no_the_address_is_wrong_goes_straight_to_the_address():
    policy, state, ctx, calendar = booking_policy()
    await talk(policy, state, ctx, "I want to book a repair", "the heat is out", "tomorrow",
               "the first one", "Pat Doe", "14 Palm Avenue, Naples", "yes")
    change = await say(policy, state, ctx, "no, the address is wrong")
    assert "address" in change.text and "What should I change" not in change.text
    await talk(policy, state, ctx, "41 Palm Avenue, Naples", "yes")
    assert [r.address for r in calendar.requests] == ["41 Palm Avenue, Naples"]
