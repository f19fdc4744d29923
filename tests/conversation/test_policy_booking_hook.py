"""The booking plug-in point: without a handler booking requests fall through; with one it
owns the turns until it is done, and its tool is offered to the model."""

from __future__ import annotations

from typing import Any

from policy_builders import OFFICE_HOURS, OFFICE_PHONE, FakeModel, make_context, make_snapshot, say

from runtime.conversation import (
    BookingReply,
    CallContext,
    CompanySnapshot,
    ConversationState,
    DialoguePolicy,
    Mode,
    Tier,
    Transfer,
)
from runtime.conversation.intents import wants_booking
from runtime.providers.base import ToolCall, ToolSpec


class NameThenDone:
    """Asks for a name, then confirms: just enough booking to see the hook work."""

    tools = (ToolSpec("book_appointment", "Book a visit.", {"type": "object", "properties": {}}),)

    def wants(self, state: ConversationState, utterance: str) -> bool:
        return wants_booking(utterance)

    def is_aside(self, state: ConversationState, utterance: str) -> bool:
        return False

    def resume_prompt(self, snapshot: CompanySnapshot, state: ConversationState,
                      ctx: CallContext) -> str:
        return "May I have your name?"

    async def reply(
        self, snapshot: CompanySnapshot, state: ConversationState, ctx: CallContext,
        utterance: str,
    ) -> BookingReply:
        if "name" not in state.slots:
            state.slots["name"] = ""
            return BookingReply("Sure. May I have your name?")
        state.slots["name"] = utterance
        return BookingReply(f"Thanks {utterance}, you're booked.", done=True, confidence=1.0)

    async def on_tool_call(
        self, snapshot: CompanySnapshot, state: ConversationState, ctx: CallContext,
        name: str, arguments: dict[str, Any],
    ) -> BookingReply:
        return await self.reply(snapshot, state, ctx, "")


async def test_without_a_handler_booking_requests_go_to_the_model() -> None:
    policy = DialoguePolicy(make_snapshot(), FakeModel())
    state = ConversationState.new()
    outcome = await say(policy, state, make_context(), "can I book a visit for next week")
    assert outcome.tier == Tier.LLM and state.mode is Mode.CONVERSATION


async def test_without_a_handler_or_a_model_booking_requests_go_to_a_person() -> None:
    policy = DialoguePolicy(make_snapshot(), None, clock=lambda: OFFICE_HOURS)
    state = ConversationState.new()
    outcome = await say(policy, state, make_context(), "can I book a visit for next week")
    assert outcome.tier == Tier.TRANSFER and isinstance(outcome.action, Transfer)
    assert outcome.action.number == OFFICE_PHONE


async def test_handler_owns_the_booking_turns_until_done() -> None:
    policy = DialoguePolicy(make_snapshot(), None, booking=NameThenDone())
    state, ctx = ConversationState.new(), make_context()
    first = await say(policy, state, ctx, "can I schedule an appointment")
    assert first.tier == Tier.BOOKING and first.text == "Sure. May I have your name?"
    assert state.mode is Mode.BOOKING
    second = await say(policy, state, ctx, "Jordan")
    assert second.text == "Thanks Jordan, you're booked." and second.confidence == 1.0
    assert state.mode is Mode.CONVERSATION and state.slots == {"name": "Jordan"}


async def test_model_can_call_the_booking_tool() -> None:
    model = FakeModel([ToolCall("book_appointment", {})])
    policy = DialoguePolicy(make_snapshot(), model, booking=NameThenDone())
    state = ConversationState.new()
    outcome = await say(policy, state, make_context(), "my heat pump makes a rattling noise")
    assert "book_appointment" in {tool.name for tool in model.requests[0].tools}
    assert outcome.tier == Tier.LLM and outcome.text == "Sure. May I have your name?"
    assert state.mode is Mode.BOOKING


def test_a_visit_asked_for_in_the_callers_own_words_is_a_booking_request() -> None:
    for asked in ("can i get a plumber out here this afternoon",
                  "i need an electrician to come install some outlets",
                  "could you send a technician over tomorrow"):
        assert wants_booking(asked), asked
    for question in ("are your plumbers licensed", "do you have someone who speaks spanish",
                     "i have a plumber coming tomorrow", "is the electrician coming out"):
        assert not wants_booking(question), question
