"""The language-model tier: streaming sentences, tools, the prompt, and the time budget."""

from __future__ import annotations

import asyncio

from policy_builders import (
    CALLER,
    OFFICE_PHONE,
    FakeModel,
    make_company,
    make_snapshot,
    policy_for,
    say,
)

from runtime.conversation import Hangup, Listen, Mode, TakeMessage, Tier, Transfer, TurnBudget
from runtime.providers.base import ProviderError, TextDelta, ToolCall

UNKNOWN = "can your technicians also look at my attic insulation?"
TINY_BUDGET = TurnBudget(first_token_s=0.05, total_s=0.1)


async def test_unknown_question_is_answered_by_the_model() -> None:
    model = FakeModel([TextDelta("Yes, we "), TextDelta("can check it. "),
                       TextDelta("Want me to take a message for a visit?")])
    policy, state, ctx = policy_for(llm=model)
    outcome = await say(policy, state, ctx, UNKNOWN)
    # confidence: how well the best knowledge entry fit; low = a knowledge gap
    assert outcome.tier == Tier.LLM and outcome.confidence is not None
    assert outcome.confidence < 0.5
    assert outcome.text == "Yes, we can check it. Want me to take a message for a visit?"
    assert isinstance(outcome.action, Listen)
    assert {"llm_first_token", "llm_total", "match", "total"} <= set(outcome.timings_ms)
    request = model.requests[0]
    assert request.history[-1].text == UNKNOWN and request.history[-1].role == "caller"
    assert {tool.name for tool in request.tools} == {"transfer_call", "take_message", "end_call"}
    assert state.history[-1] == ("agent", outcome.text)


async def test_a_model_answer_near_an_entry_is_not_a_knowledge_gap() -> None:
    strict = make_company(aiSettings={"semanticKnowledge": {"confidenceThreshold": 0.99}})
    policy, state, ctx = policy_for(llm=FakeModel([TextDelta("We cover Naples.")]),
                                    snapshot=make_snapshot(strict))
    outcome = await say(policy, state, ctx, "which cities do you cover")
    assert outcome.tier == Tier.LLM and outcome.confidence is not None
    assert outcome.confidence >= 0.5


async def test_first_sentence_arrives_before_the_model_finishes() -> None:
    gate = asyncio.Event()
    model = FakeModel([TextDelta("Good question."), TextDelta(" We do insulation too.")],
                      gate=gate)
    policy, state, ctx = policy_for(llm=model)
    turn = policy.respond(state, ctx, UNKNOWN, 0.9)
    sentences = turn.sentences()
    assert await anext(sentences) == "Good question."
    assert not model.finished and not turn.done
    gate.set()
    assert [sentence async for sentence in sentences] == ["We do insulation too."]
    assert turn.outcome.text == "Good question. We do insulation too."


async def test_model_transfer_tool_becomes_a_transfer() -> None:
    model = FakeModel([ToolCall("transfer_call", {"reason": "quote for a new system"})])
    policy, state, ctx = policy_for(llm=model)
    outcome = await say(policy, state, ctx, "I'd like a quote for a new system")
    assert outcome.tier == Tier.LLM
    assert isinstance(outcome.action, Transfer)
    assert outcome.action.number == OFFICE_PHONE
    assert outcome.action.reason == "quote for a new system"
    assert outcome.text == make_company().agentSetup.transferMessage


async def test_model_end_call_tool_hangs_up_after_its_words() -> None:
    model = FakeModel([TextDelta("Glad I could help!"), ToolCall("end_call")])
    policy, state, ctx = policy_for(llm=model)
    outcome = await say(policy, state, ctx, UNKNOWN)
    assert isinstance(outcome.action, Hangup) and state.ended
    assert outcome.text == "Glad I could help!"


async def test_model_error_falls_back_to_a_decent_knowledge_match() -> None:
    model = FakeModel(fail=ProviderError("quota exceeded"))
    policy, state, ctx = policy_for(llm=model)
    # Below the 0.7 threshold, above the "decent" floor: answered when the model fails.
    outcome = await say(policy, state, ctx, "what do you charge to look at a noisy furnace")
    assert outcome.tier == Tier.FALLBACK
    assert outcome.fallback_reason == "llm_provider_error: quota exceeded"
    assert outcome.text == "Our service call fee is $89."
    assert outcome.confidence is not None and 0.45 <= outcome.confidence < 0.7


async def test_any_model_exception_falls_back_to_a_personality_line() -> None:
    policy, state, ctx = policy_for(llm=FakeModel(fail=ValueError("bad chunk")))
    outcome = await say(policy, state, ctx, UNKNOWN)
    assert outcome.tier == Tier.FALLBACK
    assert outcome.fallback_reason == "llm_error: ValueError: bad chunk"
    assert outcome.text in make_company().personalityResponses.cantUnderstand


async def test_hanging_model_is_cut_off_by_the_budget() -> None:
    policy, state, ctx = policy_for(llm=FakeModel(hang=True), budget=TINY_BUDGET)
    outcome = await say(policy, state, ctx, UNKNOWN)
    assert outcome.tier == Tier.FALLBACK
    assert outcome.fallback_reason == "llm_first_token_timeout"
    assert "llm_first_token" not in outcome.timings_ms


async def test_model_stalling_mid_answer_keeps_the_finished_sentences() -> None:
    never = asyncio.Event()
    model = FakeModel([TextDelta("We can look at that. And"), TextDelta(" more.")], gate=never)
    policy, state, ctx = policy_for(llm=model, budget=TINY_BUDGET)
    outcome = await say(policy, state, ctx, UNKNOWN)
    assert outcome.tier == Tier.LLM
    assert outcome.text == "We can look at that."
    assert outcome.fallback_reason == "llm_total_timeout"


async def test_system_prompt_is_built_from_the_company() -> None:
    model = FakeModel()
    company = make_company(
        aiSettings={"personality": "professional", "responseLength": "balanced"}
    )
    policy, state, ctx = policy_for(llm=model, snapshot=make_snapshot(company))
    await say(policy, state, ctx, "is a new furnace something you could spread payments on")
    request = model.requests[0]
    prompt = request.system_prompt
    assert "Arctic Air Heating & Cooling" in prompt
    assert "Monday 9:00 AM-5:00 PM" in prompt and "Sunday closed" in prompt
    assert "America/New_York" in prompt and "Wednesday 10:00 AM" in prompt
    assert "AC repair, Furnace repair, Duct cleaning" in prompt
    assert "Q: Do you offer financing?\nA: Yes, we offer financing" in prompt
    assert prompt.count("Q: ") == 5  # the top knowledge entries, not the whole base
    assert "Be courteous, precise and businesslike." in prompt
    assert "at most 3 short spoken sentences" in prompt
    assert request.max_output_tokens == 200
    assert request.model == "gemini-2.5-flash"


async def test_take_message_tool_starts_message_taking() -> None:
    model = FakeModel([ToolCall("take_message", {})])
    policy, state, ctx = policy_for(llm=model)
    outcome = await say(policy, state, ctx, UNKNOWN)
    assert state.mode is Mode.MESSAGE
    assert outcome.text == make_company().agentSetup.messagePrompt


async def test_a_message_the_model_took_down_still_gets_the_callers_name() -> None:
    model = FakeModel([ToolCall("take_message", {"message": "Wants a quote for a heat pump"})])
    policy, state, ctx = policy_for(llm=model)
    asked = await say(policy, state, ctx, UNKNOWN)
    assert asked.text == "Thanks. And who should I say called?" and state.mode is Mode.MESSAGE
    await say(policy, state, ctx, "Robin Hart")
    taken = await say(policy, state, ctx, "yes")
    assert taken.action == TakeMessage("Wants a quote for a heat pump", caller_number=CALLER,
                                       caller_name="Robin Hart")
