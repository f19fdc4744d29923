"""The dialogue policy answering texts: what a text cannot do (transfer, wait for a
message) becomes a staff alert, emergencies carry their safety lines, and a conversation
that ended starts afresh with the next text."""

from __future__ import annotations

import dataclasses

from policy_builders import OFFICE_PHONE, TWO_AM, make_company, make_snapshot, policy_for

from runtime.conversation import ConversationState, Mode, Tier
from runtime.conversation.texting import (
    ALERTED,
    HANDED_OFF,
    ONLY_TEXT,
    StaffAlert,
    TextConversation,
)


async def test_a_question_gets_the_knowledge_answer_and_alerts_nobody() -> None:
    policy, state, ctx = policy_for()
    reply = await TextConversation(policy).reply(
        state, ctx, "Hi, how much do you charge for a service call?", [])
    assert reply.text == "Our service call fee is $89."
    assert reply.alert is None and reply.outcome is not None
    assert reply.outcome.tier == Tier.KNOWLEDGE


async def test_asking_for_a_person_in_hours_alerts_the_team_with_the_context() -> None:
    policy, state, ctx = policy_for()
    reply = await TextConversation(policy).reply(
        state, ctx, "can I talk to a real person", ["my AC is dripping water"])
    assert reply.text == HANDED_OFF
    assert reply.alert == StaffAlert(
        "Asks for a person by text: my AC is dripping water / can I talk to a real person",
        urgent=False)
    assert reply.state.mode is Mode.CONVERSATION  # no line to transfer: keep answering


async def test_an_emergency_text_gets_safety_lines_and_an_urgent_alert() -> None:
    policy, state, ctx = policy_for()
    reply = await TextConversation(policy).reply(state, ctx, "I smell gas in the kitchen", [])
    assert reply.text.startswith("If you smell gas, please leave the building now")
    assert ALERTED in reply.text and OFFICE_PHONE in reply.text
    assert reply.alert == StaffAlert("I smell gas in the kitchen", urgent=True)
    assert "stay on the line" not in reply.text


async def test_a_texted_hazard_worded_without_any_phrase_is_an_emergency_too() -> None:
    policy, state, ctx = policy_for(at=TWO_AM)
    text = "the plug behind the dryer is smoking"
    reply = await TextConversation(policy).reply(state, ctx, text, [])
    assert reply.outcome is not None and reply.outcome.tier == Tier.EMERGENCY
    assert "breaker" in reply.text and ALERTED in reply.text
    assert reply.alert == StaffAlert(text, urgent=True)


async def test_an_emergency_with_nobody_on_call_still_alerts_at_once() -> None:
    snapshot = make_snapshot(make_company(companyPhone=None), staff=[])
    policy, state, ctx = policy_for(snapshot=snapshot)
    reply = await TextConversation(policy).reply(state, ctx, "I smell gas", [])
    assert reply.alert is not None and reply.alert.urgent
    assert reply.state.mode is Mode.CONVERSATION and not reply.state.message_urgent


async def test_after_hours_the_next_text_is_the_message_passed_on() -> None:
    policy, state, call_ctx = policy_for(at=TWO_AM)
    ctx = dataclasses.replace(call_ctx, number_verified=True)  # a text's sender is known
    texting = TextConversation(policy)
    first = await texting.reply(state, ctx, "I want to speak to someone", [])
    assert first.alert is None and first.state.mode is Mode.MESSAGE
    second = await texting.reply(first.state, ctx, "Pat here, please call about my furnace",
                                 ["I want to speak to someone"])
    assert second.alert == StaffAlert("Pat here, please call about my furnace", urgent=False)
    assert "passed your message on" in second.text
    third = await texting.reply(second.state, ctx, "do you offer financing?", [])
    assert third.text == "Yes, we offer financing with approved credit."  # a fresh start


async def test_an_empty_text_asks_for_words() -> None:
    policy, _, ctx = policy_for()
    reply = await TextConversation(policy).reply(ConversationState.new(), ctx, "  ", [])
    assert (reply.text, reply.alert) == (ONLY_TEXT, None)


async def test_a_goodbye_by_text_thanks_for_texting_and_the_next_text_starts_afresh() -> None:
    policy, state, ctx = policy_for()
    texting = TextConversation(policy)
    bye = await texting.reply(state, ctx, "thanks, bye", [])
    assert "Thanks for texting Arctic Air" in bye.text and bye.state.ended
    again = await texting.reply(bye.state, ctx, "Do you offer financing?", [])
    assert again.text == "Yes, we offer financing with approved credit."
