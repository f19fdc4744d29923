"""The language-model tier answering texts: a prompt written for a text (a sentence longer,
never a transfer or a line to hold), the call tier's guards kept (knowledge only, the
fallback line when the model fails, emergencies decided before it), and the model's
transfer becoming the team's promise to get back to the customer."""

from __future__ import annotations

import dataclasses

from policy_builders import (
    OFFICE_HOURS,
    TWO_AM,
    FakeModel,
    make_company,
    make_context,
    make_snapshot,
)

from runtime.conversation import (
    ConversationState,
    DialoguePolicy,
    Mode,
    Tier,
    TurnBudget,
)
from runtime.conversation.prompt import Channel, build_system_prompt
from runtime.conversation.texting import HANDED_OFF, StaffAlert, TextConversation
from runtime.providers.base import ProviderError, TextDelta, ToolCall

UNKNOWN = "can your technicians also look at my attic insulation?"
CALL_ONLY = ("live call", "spoken", "connect the caller")


def prompt(channel: Channel, *, after_hours: bool = False, can_book: bool = True,
           length: str = "concise") -> str:
    snapshot = make_snapshot(make_company(aiSettings={"responseLength": length}))
    return build_system_prompt(snapshot, now=OFFICE_HOURS, after_hours=after_hours,
                               caller=None, knowledge=snapshot.knowledge[:2],
                               can_book=can_book, channel=channel)


def text_policy(model: FakeModel, at=OFFICE_HOURS) -> TextConversation:
    policy = DialoguePolicy(make_snapshot(), model, clock=lambda: at, budget=TurnBudget(),
                            channel="text")
    return TextConversation(policy)


def verified():
    return dataclasses.replace(make_context(), number_verified=True)  # a text's sender


def test_a_text_prompt_asks_for_a_text_and_never_a_transfer_or_a_line_to_hold() -> None:
    text = prompt("text")
    assert "answering a customer's text message (SMS)" in text
    assert "at most 3 short sentences of plain text" in text  # concise: 2 spoken + 1
    assert "ideally under 320 characters" in text
    assert ("never say you are transferring or connecting them, and never ask them to stay "
            "on the line or hold") in text
    assert "use transfer_call: the team is then asked to get back to them" in text
    for call_words in CALL_ONLY:
        assert call_words not in text
    # the guards the call prompt has: facts only, knowledge first
    assert "Never invent prices, policies or promises" in text
    assert "A: Our service call fee is $89." in text and "Arctic Air Heating & Cooling" in text


def test_a_text_prompt_takes_a_sentence_more_than_the_spoken_one() -> None:
    assert "at most 6 short sentences" in prompt("text", length="detailed")
    assert "at most 5 short spoken sentences" in prompt("call", length="detailed")


def test_after_hours_and_without_booking_a_text_prompt_offers_a_message_not_a_transfer(
        ) -> None:
    text = prompt("text", after_hours=True, can_book=False)
    assert "After hours the team is away: offer to pass a message on." in text
    assert "You cannot book appointments by text" in text
    assert "transferred" not in text and "this call" not in text


def test_the_call_prompt_is_still_written_for_a_call() -> None:
    call = prompt("call", after_hours=True, can_book=False)
    assert "answering a live call" in call and "short spoken sentences" in call
    assert "nobody can be transferred except for emergencies" in call
    assert "text message" not in call


async def test_a_question_knowledge_cannot_answer_is_answered_by_the_model() -> None:
    model = FakeModel([TextDelta("Yes, we look at attic insulation. "),
                       TextDelta("Want the team to text you a time?")])
    reply = await text_policy(model).reply(ConversationState.new(), verified(), UNKNOWN, [])
    assert reply.text == "Yes, we look at attic insulation. Want the team to text you a time?"
    assert reply.outcome is not None and reply.outcome.tier == Tier.LLM
    assert reply.alert is None
    [request] = model.requests
    assert "answering a customer's text message" in request.system_prompt
    assert reply.state.history[-1] == ("agent", reply.text)


async def test_the_models_transfer_by_text_asks_the_team_to_get_back() -> None:
    model = FakeModel([TextDelta("Let me transfer you now. "),
                       ToolCall("transfer_call", {"reason": "wants a quote"})])
    reply = await text_policy(model).reply(ConversationState.new(), verified(),
                                           "I'd like a quote for a new system", [])
    assert reply.text == HANDED_OFF  # never the model's "transfer you"
    assert reply.alert == StaffAlert(
        "Asks for a person by text: I'd like a quote for a new system", urgent=False)
    assert reply.state.mode is Mode.CONVERSATION


async def test_a_failing_model_gives_a_text_the_fallback_line() -> None:
    model = FakeModel(fail=ProviderError("quota exceeded"))
    reply = await text_policy(model).reply(ConversationState.new(), verified(), UNKNOWN, [])
    assert reply.outcome is not None and reply.outcome.tier == Tier.FALLBACK
    assert reply.text in make_company().personalityResponses.cantUnderstand
    assert reply.outcome.fallback_reason == "llm_provider_error: quota exceeded"


async def test_an_emergency_text_is_decided_before_the_model() -> None:
    model = FakeModel([TextDelta("Sounds fine, no rush.")])
    reply = await text_policy(model, at=TWO_AM).reply(
        ConversationState.new(), verified(), "water is pouring through my ceiling", [])
    assert reply.outcome is not None and reply.outcome.tier == Tier.EMERGENCY
    assert reply.alert is not None and reply.alert.urgent
    assert model.requests == []
