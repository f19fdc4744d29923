"""A message is taken down with the caller's name and callback number, and an emergency
nobody answered becomes an urgent message after the safety lines are said again."""

from __future__ import annotations

import dataclasses

import pytest
from policy_builders import CALLER, TWO_AM, make_company, make_snapshot, policy_for, say, talk

from runtime.conversation import CallerContact, Listen, Mode, TakeMessage, Tier, Transfer
from runtime.conversation.context import CallContext
from runtime.conversation.message_taking import introduced_name, spoken_number


@pytest.mark.parametrize("utterance, name", [
    ("This is Pat at 12 Palm Road, please hurry", "Pat"),
    ("hi, my name is Maria Lopez and the heat is out", "Maria Lopez"),
    ("It's Lee, my thermostat is blank", "Lee"),
    ("Pat, call me back about the repair", "Pat"),
    ("Pat here, please call about my furnace", "Pat"),
    ("this is urgent, the furnace is banging", None),
    ("I'm calling about my invoice", None),
    ("Yes, the AC is leaking", None),
    ("please call me back", None),
])
def test_a_name_is_heard_only_when_the_caller_gives_one(utterance, name):
    assert introduced_name(utterance) == name


def test_a_number_inside_a_sentence_is_read_in_e164():
    assert spoken_number("call me on 239-555-0199 after five") == "+12395550199"
    assert spoken_number("I live at 12 Palm Road") is None


async def message_call(contact: CallerContact | None = None):
    policy, state, ctx = policy_for(at=TWO_AM, contact=contact)
    started = await say(policy, state, ctx, "can you take a message")
    assert started.tier == Tier.MESSAGE and state.mode is Mode.MESSAGE
    return policy, state, ctx


async def test_the_name_is_asked_then_the_caller_id_confirmed():
    policy, state, ctx = await message_call()
    name = await say(policy, state, ctx, "the furnace is making a banging noise")
    assert name.text == "Thanks. And who should I say called?"
    number = await say(policy, state, ctx, "Pat Doe")
    assert number.text == "Is 239-555-7777 the best number to call you back on?"
    taken = await say(policy, state, ctx, "yes")
    assert taken.action == TakeMessage("the furnace is making a banging noise",
                                       caller_number=CALLER, caller_name="Pat Doe")
    assert state.ended


async def test_another_callback_number_replaces_the_caller_id():
    policy, state, ctx = await message_call()
    await talk(policy, state, ctx, "This is Pat, the AC is out")
    other = await say(policy, state, ctx, "no, that's my work phone")
    assert other.text == "What's the best number to call you back on?"
    again = await say(policy, state, ctx, "uh the cell")
    assert again.text.startswith("Sorry, I didn't get that number.")
    taken = await say(policy, state, ctx, "two three nine five five five zero one nine nine")
    assert isinstance(taken.action, TakeMessage)
    assert (taken.action.caller_name, taken.action.caller_number) == ("Pat", "+12395550199")


async def test_everything_in_one_answer_takes_the_message_at_once():
    policy, state, ctx = await message_call()
    taken = await say(policy, state, ctx,
                      "This is Pat Doe, call me at 239 555 0123, the heat pump is iced over")
    assert isinstance(taken.action, TakeMessage)
    assert (taken.action.caller_name, taken.action.caller_number) == ("Pat Doe", "+12395550123")


async def test_a_known_caller_is_not_asked_their_name_and_nobody_is_trapped():
    policy, state, ctx = await message_call(CallerContact("Maria Lopez", 3))
    confirm = await say(policy, state, ctx, "the thermostat is blank again")
    assert confirm.text.startswith("Is 239-555-7777")
    again = await say(policy, state, ctx, "hmm what")
    assert again.text.startswith("Is 239-555-7777")  # asked twice at most
    taken = await say(policy, state, ctx, "what")
    assert isinstance(taken.action, TakeMessage)
    assert (taken.action.caller_name, taken.action.caller_number) == ("Maria Lopez", CALLER)


async def test_a_verified_number_is_not_confirmed():
    policy, state, ctx = policy_for(at=TWO_AM)
    texted = dataclasses.replace(ctx, number_verified=True)  # a text came from it
    await say(policy, state, texted, "can you take a message")
    taken = await say(policy, state, texted, "Pat here, the heat pump is iced over")
    assert isinstance(taken.action, TakeMessage)
    assert (taken.action.caller_name, taken.action.caller_number) == ("Pat", CALLER)


async def test_a_withheld_caller_id_is_asked_for_a_number():
    policy, state, _ = policy_for(at=TWO_AM)
    ctx = CallContext("CA" + "1" * 32, "anonymous", "+12395550000", TWO_AM)
    await talk(policy, state, ctx, "take a message please", "Pat, the boiler is leaking")
    assert state.history[-1][1] == "What's the best number to call you back on?"
    taken = await say(policy, state, ctx, "239 555 0144")
    assert isinstance(taken.action, TakeMessage)
    assert taken.action.caller_number == "+12395550144"


async def test_an_emergency_nobody_answers_repeats_the_safety_lines_and_is_urgent():
    policy, state, ctx = policy_for(at=TWO_AM, snapshot=make_snapshot(make_company()))
    emergency = await say(policy, state, ctx, "I smell gas in the kitchen")
    assert isinstance(emergency.action, Transfer) and emergency.action.priority
    missed = await policy.after_dial(state, ctx, "no-answer").complete()
    assert isinstance(missed.action, Listen) and state.mode is Mode.MESSAGE
    advice = emergency.text.split(" This sounds like an emergency")[0]
    assert advice.startswith("If you smell gas")
    assert missed.text.startswith(f"I'm sorry, nobody could pick up right now. {advice} "
                                  "I'll flag your message as urgent for our team.")
    await talk(policy, state, ctx, "It's Sam, 4 Elm Street", "yes")
    taken = state.history[-1]
    assert "as soon as possible" in taken[1]
    assert state.ended


async def test_the_urgent_message_starts_with_what_the_caller_reported():
    policy, state, ctx = policy_for(at=TWO_AM)
    await say(policy, state, ctx, "I smell gas in the kitchen")
    await policy.after_dial(state, ctx, "busy").complete()
    await say(policy, state, ctx, "It's Sam, 4 Elm Street")
    taken = await say(policy, state, ctx, "yes")
    assert taken.action == TakeMessage("I smell gas in the kitchen It's Sam, 4 Elm Street",
                                       urgent=True, caller_number=CALLER, caller_name="Sam")


async def test_a_transfer_nobody_answered_that_was_no_emergency_is_not_urgent():
    policy, state, ctx = policy_for()
    await say(policy, state, ctx, "can I talk to a real person please")
    missed = await policy.after_dial(state, ctx, "no-answer").complete()
    assert "urgent" not in missed.text
    taken = await talk(policy, state, ctx, "This is Pat, call me about a quote", "yes")
    assert isinstance(taken.action, TakeMessage) and not taken.action.urgent
    assert taken.action.message == "This is Pat, call me about a quote"
