"""Emergencies, requests for a person, message taking and transfers nobody answered."""

from __future__ import annotations

from policy_builders import (
    CALLER,
    COMPANY_NUMBER,
    OFFICE_PHONE,
    ON_CALL_PHONE,
    TWO_AM,
    make_company,
    make_snapshot,
    make_staff,
    policy_for,
    say,
    talk,
)

from runtime.conversation import Hangup, Listen, Mode, TakeMessage, Tier, Transfer


async def test_hvac_emergency_at_2am_goes_to_the_on_call_technician_with_priority() -> None:
    policy, state, ctx = policy_for(at=TWO_AM)
    await policy.greet(state, ctx).complete()
    assert state.after_hours

    outcome = await say(policy, state, ctx, "I smell gas in the basement near the furnace")
    assert outcome.tier == Tier.EMERGENCY
    assert outcome.action == Transfer(
        ON_CALL_PHONE, COMPANY_NUMBER, "emergency: gas_smell", priority=True
    )
    assert outcome.text.startswith("If you smell gas, please leave the building")
    assert "on-call technician" in outcome.text
    assert state.mode is Mode.TRANSFERRING


async def test_emergency_with_nobody_on_call_rings_the_office_line() -> None:
    snapshot = make_snapshot(staff=make_staff(on_call=False))
    policy, state, ctx = policy_for(at=TWO_AM, snapshot=snapshot)
    outcome = await say(policy, state, ctx, "we have no heat and it is below freezing")
    assert isinstance(outcome.action, Transfer)
    assert outcome.action.number == OFFICE_PHONE and outcome.action.priority


async def test_emergency_with_no_one_to_ring_takes_an_urgent_message() -> None:
    company = make_company(companyPhone=None)
    snapshot = make_snapshot(company, staff=[])
    policy, state, ctx = policy_for(at=TWO_AM, snapshot=snapshot)
    first = await say(policy, state, ctx, "our carbon monoxide alarm is going off")
    assert first.tier == Tier.EMERGENCY and isinstance(first.action, Listen)
    assert state.mode is Mode.MESSAGE

    await say(policy, state, ctx, "This is Pat at 12 Palm Road, please hurry")
    recorded = await say(policy, state, ctx, "yes")
    assert recorded.action == TakeMessage(
        "our carbon monoxide alarm is going off This is Pat at 12 Palm Road, please hurry",
        urgent=True, caller_number=CALLER, caller_name="Pat",
    )
    assert state.ended


async def test_asking_for_a_person_during_hours_transfers_to_the_office() -> None:
    policy, state, ctx = policy_for()
    outcome = await say(policy, state, ctx, "can I talk to a real person please")
    assert outcome.tier == Tier.TRANSFER
    assert outcome.action == Transfer(
        OFFICE_PHONE, COMPANY_NUMBER, "caller asked for a person", priority=False
    )
    assert outcome.text == make_company().agentSetup.transferMessage


async def test_asking_for_a_person_after_hours_takes_a_message() -> None:
    policy, state, ctx = policy_for(at=TWO_AM)
    outcome = await say(policy, state, ctx, "I'd like to speak to someone")
    assert outcome.tier == Tier.MESSAGE and isinstance(outcome.action, Listen)
    assert make_company().agentSetup.messagePrompt in outcome.text

    confirm = await say(policy, state, ctx, "It's Lee, my thermostat is blank, call me")
    assert confirm.text == "Is 239-555-7777 the best number to call you back on?"
    recorded = await say(policy, state, ctx, "yes that's right")
    assert recorded.tier == Tier.MESSAGE
    assert recorded.action == TakeMessage(
        "It's Lee, my thermostat is blank, call me", urgent=False, caller_number=CALLER,
        caller_name="Lee",
    )
    assert recorded.text.endswith("Thanks for calling Arctic Air Heating & Cooling. "
                                  "Have a great day!")


async def test_transfer_nobody_answered_switches_to_message_taking() -> None:
    policy, state, ctx = policy_for(at=TWO_AM)
    await say(policy, state, ctx, "there's smoke from the furnace and a burning smell")
    assert state.transfer_priority

    outcome = await policy.after_dial(state, ctx, "no-answer").complete()
    assert outcome.tier == Tier.MESSAGE and state.mode is Mode.MESSAGE
    assert outcome.text.startswith("I'm sorry, nobody could pick up right now.")
    await talk(policy, state, ctx, "please call back fast", "Pat Doe")
    message = await say(policy, state, ctx, "yes")
    assert isinstance(message.action, TakeMessage) and message.action.urgent
    assert message.action.caller_name == "Pat Doe"


async def test_answered_transfer_ends_the_call() -> None:
    policy, state, ctx = policy_for()
    await say(policy, state, ctx, "representative")
    outcome = await policy.after_dial(state, ctx, "completed").complete()
    assert isinstance(outcome.action, Hangup) and state.ended
