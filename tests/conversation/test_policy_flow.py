"""A call from greeting to goodbye: misses and the offer, frustration, silence, checkpoints."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from policy_builders import (
    OFFICE_PHONE,
    TWO_AM,
    FakeModel,
    make_company,
    make_context,
    make_snapshot,
    policy_for,
    say,
)

from runtime.conversation import (
    CallContext,
    CallerContact,
    CompanySnapshot,
    ConversationState,
    DialoguePolicy,
    Hangup,
    Listen,
    Mode,
    TakeMessage,
    Tier,
    Transfer,
    frustration_score,
)

NONSENSE = "purple monkey dishwasher"
LINES = make_company().personalityResponses


async def test_greeting_fills_the_company_name_and_knows_the_hours() -> None:
    policy, state, ctx = policy_for()
    outcome = await policy.greet(state, ctx).complete()
    assert outcome.tier == Tier.GREETING and isinstance(outcome.action, Listen)
    assert outcome.text == (
        "Thanks for calling Arctic Air Heating & Cooling. How can I help you today?"
    )

    policy, state, ctx = policy_for(at=TWO_AM)
    night = await policy.greet(state, ctx).complete()
    assert night.text.startswith("Thanks for calling Arctic Air Heating & Cooling. We're closed")
    assert state.after_hours and state.greeted


async def test_returning_caller_is_greeted_by_name_when_memory_is_on() -> None:
    last_call = datetime(2024, 12, 1, tzinfo=UTC)
    regular = CallerContact("Maria Lopez", call_count=3, last_call_at=last_call)
    policy, state, ctx = policy_for(contact=regular)
    outcome = await policy.greet(state, ctx).complete()
    assert outcome.text.startswith("Hi Maria, welcome back! Thanks for calling Arctic Air")

    forgetful = make_company(aiSettings={"contextualMemory": {"enabled": False}})
    policy, state, ctx = policy_for(snapshot=make_snapshot(forgetful), contact=regular)
    assert "Maria" not in (await policy.greet(state, ctx).complete()).text


async def test_repeated_misses_lead_to_the_offer_and_yes_transfers() -> None:
    policy, state, ctx = policy_for()
    first = await say(policy, state, ctx, NONSENSE)
    assert first.tier == Tier.FALLBACK and first.text == LINES.cantUnderstand[0]
    second = await say(policy, state, ctx, NONSENSE)
    assert second.tier == Tier.OFFER and second.text == LINES.offerHelp[0]
    assert state.mode is Mode.OFFER

    accepted = await say(policy, state, ctx, "yes please")
    assert isinstance(accepted.action, Transfer) and accepted.action.number == OFFICE_PHONE


async def test_offer_answered_with_message_takes_a_message_and_fallback_lines_rotate() -> None:
    company = make_company(aiSettings={"smartEscalation": {"maxMissesBeforeOffer": 3}})
    policy, state, ctx = policy_for(snapshot=make_snapshot(company))
    lines = [(await say(policy, state, ctx, NONSENSE)).text for _ in range(2)]
    assert lines == LINES.cantUnderstand[:2]
    assert (await say(policy, state, ctx, NONSENSE)).tier == Tier.OFFER
    outcome = await say(policy, state, ctx, "just take a message")
    assert outcome.tier == Tier.MESSAGE and state.mode is Mode.MESSAGE


async def test_frustrated_caller_is_escalated_to_a_person() -> None:
    assert frustration_score("what time do you open") == 0.0
    assert frustration_score("this is so frustrating and ridiculous") >= 0.6

    policy, state, ctx = policy_for()
    outcome = await say(policy, state, ctx, "I'm so frustrated, your service is useless")
    assert outcome.tier == Tier.ESCALATION
    assert outcome.text.startswith("I'm sorry about the trouble.")
    assert isinstance(outcome.action, Transfer)
    assert outcome.sentiment is not None and outcome.sentiment >= 0.6
    assert state.sentiment_history == [outcome.sentiment]


async def test_escalation_phrase_escalates_unless_escalation_is_off() -> None:
    policy, state, ctx = policy_for()
    assert (await say(policy, state, ctx, "I will call my lawyer")).tier == Tier.ESCALATION

    calm = make_company(aiSettings={"smartEscalation": {"enabled": False}})
    policy, state, ctx = policy_for(snapshot=make_snapshot(calm))
    assert (await say(policy, state, ctx, "I will call my lawyer")).tier == Tier.FALLBACK

    # The brief's switch: escalation on, but frustration is not a trigger.
    no_trigger = make_company(aiSettings={"smartEscalation": {"sentimentTrigger": False}})
    policy, state, ctx = policy_for(snapshot=make_snapshot(no_trigger))
    assert (await say(policy, state, ctx, "I will call my lawyer")).tier == Tier.FALLBACK


async def test_goodbye_closes_the_call() -> None:
    policy, state, ctx = policy_for()
    outcome = await say(policy, state, ctx, "ok that's all, thank you, goodbye")
    assert outcome.tier == Tier.GOODBYE and isinstance(outcome.action, Hangup)
    assert outcome.text == "Thanks for calling Arctic Air Heating & Cooling. Have a great day!"
    assert state.ended and state.mode is Mode.ENDED


async def test_no_thats_it_is_a_goodbye_not_a_negated_one() -> None:
    policy, state, ctx = policy_for()
    outcome = await say(policy, state, ctx, "no thats it thanks")
    assert outcome.tier == Tier.GOODBYE and isinstance(outcome.action, Hangup)


async def test_asking_to_leave_a_message_starts_one() -> None:
    policy, state, ctx = policy_for(llm=FakeModel())
    outcome = await say(policy, state, ctx, "can someone call me back about my bill")
    assert outcome.tier == Tier.MESSAGE and state.mode is Mode.MESSAGE


async def test_silence_reprompts_once_then_hangs_up() -> None:
    policy, state, ctx = policy_for()
    first = policy.on_silence(state, ctx)
    assert isinstance((await first.complete()).action, Listen)
    assert isinstance((await say(policy, state, ctx, "  ")).action, Hangup)
    assert state.ended


async def test_low_transcription_confidence_is_not_guessed_at() -> None:
    policy, state, ctx = policy_for(llm=FakeModel())
    outcome = await say(policy, state, ctx, "what are your hours", stt_confidence=0.1)
    assert outcome.tier == Tier.FALLBACK and outcome.fallback_reason == "low_stt_confidence"
    assert outcome.text == "Could you speak a bit more clearly, please?"  # speakClearly


async def test_a_checkpoint_from_before_speak_clearly_still_loads() -> None:
    data = json.loads(json.dumps(make_snapshot().to_dict()))
    del data["lines"]["speak_clearly"]
    assert CompanySnapshot.from_dict(data).lines.speak_clearly == ()


async def test_checkpointed_call_continues_identically() -> None:
    script = ["what are your hours", NONSENSE, NONSENSE,  # checkpoint while the offer waits
              "no thanks", NONSENSE, "do you offer financing", NONSENSE, NONSENSE,
              "take a message", "call me back about a new furnace", "Sam Lee", "yes"]
    policy, state, ctx = policy_for()
    await policy.greet(state, ctx).complete()
    for utterance in script[:3]:
        await say(policy, state, ctx, utterance)

    checkpoint = json.loads(json.dumps({"state": state.to_dict(), "ctx": ctx.to_dict(),
                                        "snapshot": policy.snapshot.to_dict()}))
    restored_state = ConversationState.from_dict(checkpoint["state"])
    restored_ctx = CallContext.from_dict(checkpoint["ctx"])
    assert restored_state == state and restored_ctx == ctx and state.mode is Mode.OFFER
    restored = DialoguePolicy(CompanySnapshot.from_dict(checkpoint["snapshot"]), None,
                              clock=lambda: ctx.started_at)

    for utterance in script[3:]:
        original = await say(policy, state, ctx, utterance)
        replayed = await say(restored, restored_state, restored_ctx, utterance)
        assert (replayed.text, replayed.action, replayed.tier) == (
            original.text, original.action, original.tier)
    assert restored_state == state
    assert state.ended and isinstance(original.action, TakeMessage)


def test_snapshot_round_trips_through_json_without_secrets() -> None:
    company = make_company(
        aiSettings={"elevenLabs": {"voiceId": "EXAVITQu4vr4xnSDxMaL", "useOwnApiKey": True,
                                   "apiKey": "sk_live_secret_value"}}
    )
    snapshot = make_snapshot(company)
    data = json.loads(json.dumps(snapshot.to_dict()))
    assert CompanySnapshot.from_dict(data) == snapshot
    assert "sk_live_secret_value" not in json.dumps(data)
    assert snapshot.voice.use_own_api_key and snapshot.trade_categories == ("HVAC",)
    ctx = make_context(CallerContact("Maria", 2))
    assert CallContext.from_dict(json.loads(json.dumps(ctx.to_dict()))) == ctx
