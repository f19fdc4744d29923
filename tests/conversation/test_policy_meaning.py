"""Hybrid knowledge matching and hazards by meaning, with scores handed in as plain numbers.

`ScriptedMeaning` stands for the embedding scorer: the policy only ever sees cosines, so
these tests say exactly which similarities an utterance has and check the decisions.
"""

from __future__ import annotations

from collections.abc import Mapping

from policy_builders import (
    OFFICE_HOURS,
    ON_CALL_PHONE,
    make_company,
    make_context,
    make_snapshot,
    say,
)

from runtime.conversation import ConversationState, DialoguePolicy, Tier, Transfer
from runtime.conversation.hazards import every_trade_signals, recognise_emergency
from runtime.conversation.meaning import (
    MeaningScores,
    hybrid_confidence,
    semantic_confidence,
)


class ScriptedMeaning:
    def __init__(self, by_utterance: Mapping[str, MeaningScores]) -> None:
        self._by_utterance = by_utterance
        self.asked: list[str] = []

    def score(self, utterance: str) -> MeaningScores:
        self.asked.append(utterance)
        return self._by_utterance.get(utterance, MeaningScores())


SNAPSHOT = make_snapshot()  # entry ids are random: one snapshot for the whole module


def policy_with(scores: Mapping[str, MeaningScores]) -> tuple[DialoguePolicy, ScriptedMeaning]:
    meaning = ScriptedMeaning(scores)
    return DialoguePolicy(SNAPSHOT, None, clock=lambda: OFFICE_HOURS, meaning=meaning), meaning


def entry_id(question_start: str) -> str:
    return next(e.id for e in SNAPSHOT.knowledge if e.question.startswith(question_start))


def all_entries(cosine: float) -> dict[str, float]:
    return {entry.id: cosine for entry in SNAPSHOT.knowledge}


def test_the_threshold_keeps_its_meaning_on_the_semantic_scale() -> None:
    assert semantic_confidence(0.42) == 0.7
    assert semantic_confidence(0.9) == 1.0 and semantic_confidence(-0.2) == 0.0
    assert hybrid_confidence(0.79, 0.22) < 0.7  # words alone cannot answer
    assert hybrid_confidence(0.0, 0.5) > 0.7  # meaning alone can
    assert hybrid_confidence(0.55, None) == 0.55  # no vector: lexical as before


async def test_a_question_worded_nothing_like_the_entry_is_answered_by_meaning() -> None:
    areas = entry_id("What areas")
    utterance = "which towns do you cover"
    policy, meaning = policy_with({utterance: MeaningScores({**all_entries(0.1), areas: 0.6})})
    outcome = await say(policy, ConversationState.new(), make_context(), utterance)
    assert outcome.tier is Tier.KNOWLEDGE and outcome.knowledge_id == areas
    assert "Naples" in outcome.text and meaning.asked == [utterance]  # embedded once


async def test_a_near_tie_between_two_entries_falls_through() -> None:
    utterance = "what about the weekend rates"
    tie = {**all_entries(0.1), entry_id("What are your"): 0.6, entry_id("How much"): 0.58}
    policy, _ = policy_with({utterance: MeaningScores(tie)})
    outcome = await say(policy, ConversationState.new(), make_context(), utterance)
    assert outcome.tier is Tier.FALLBACK


async def test_keyword_overlap_without_meaning_does_not_answer() -> None:
    utterance = "close my account"  # lexical 0.79 on the hours entry ("close" keyword)
    policy, _ = policy_with({utterance: MeaningScores(all_entries(0.1))})
    outcome = await say(policy, ConversationState.new(), make_context(), utterance)
    assert outcome.tier is Tier.FALLBACK


async def test_a_hazard_recognised_by_meaning_is_an_emergency() -> None:
    utterance = "something upstairs is making a horrible scorched odour"
    scores = MeaningScores({}, {"burning_smell_from_equipment": 0.8})
    policy, _ = policy_with({utterance: scores})
    outcome = await say(policy, ConversationState.new(), make_context(), utterance)
    assert outcome.tier is Tier.EMERGENCY
    assert isinstance(outcome.action, Transfer) and outcome.action.number == ON_CALL_PHONE


def test_a_hazard_closer_to_an_ordinary_question_or_complaint_is_not_an_emergency() -> None:
    signals = every_trade_signals(["HVAC"])
    hazard = {"burning_smell_from_equipment": 0.75}
    closer_question = MeaningScores({"trade:HVAC:3": 0.88}, hazard)
    closer_complaint = MeaningScores({"trade:HVAC:3": 0.3}, hazard, ordinary=0.8)
    farther_both = MeaningScores({"trade:HVAC:3": 0.3}, hazard, ordinary=0.5)
    assert recognise_emergency("my furnace wont turn on", signals, closer_question) is None
    assert recognise_emergency("the heater smells dusty", signals, closer_complaint) is None
    assert recognise_emergency("the heater smells scorched", signals, farther_both) is not None


def test_a_negated_hazard_phrase_is_not_an_emergency_by_meaning() -> None:
    signals = every_trade_signals(["HVAC"])
    scores = MeaningScores({}, {"gas_smell": 0.7})
    assert recognise_emergency("no i dont smell gas its just cold", signals, scores) is None


def test_every_trade_hazard_is_recognised_at_a_single_trade_company() -> None:
    signals = every_trade_signals(["HVAC"])
    for utterance, label in [("my basement is flooding", "flooding"),
                             ("sparks are coming out of the outlet", "sparks_or_smoke")]:
        emergency = recognise_emergency(utterance, signals, MeaningScores())
        assert emergency is not None and emergency.label == label


def test_company_phrases_are_emergencies_too() -> None:
    signals = every_trade_signals(["Plumbing"], ["well pump quit"])
    emergency = recognise_emergency("our well pump quit this morning", signals, MeaningScores())
    assert emergency is not None and emergency.label == "company_emergency_phrase"


async def test_the_company_phrase_reaches_the_policy_through_its_settings() -> None:
    snapshot = make_snapshot(make_company(agentSetup={"emergencyPhrases": ["well pump quit"]}))
    policy = DialoguePolicy(snapshot, None, clock=lambda: OFFICE_HOURS)
    outcome = await say(policy, ConversationState.new(), make_context(), "the well pump quit")
    assert outcome.tier is Tier.EMERGENCY


async def test_the_catalog_answers_when_it_fits_clearly_better_than_the_company_entry() -> None:
    utterance = "what should i keep the temperature at to spend less"
    catalog = {f"trade:HVAC:{number}": 0.1 for number in range(11)}
    close_enough = {**all_entries(0.1), entry_id("What are your"): 0.47, **catalog}
    policy, _ = policy_with({utterance: MeaningScores(close_enough)})
    company = await say(policy, ConversationState.new(), make_context(), utterance)
    assert company.tier is Tier.KNOWLEDGE  # the company's own entry, when nothing beats it

    better = {**close_enough, "trade:HVAC:6": 0.8}  # "What thermostat setting saves..."
    policy, _ = policy_with({utterance: MeaningScores(better)})
    outcome = await say(policy, ConversationState.new(), make_context(), utterance)
    assert outcome.tier is Tier.TRADE_KNOWLEDGE and "78 degrees" in outcome.text


async def test_a_near_tie_is_decided_when_words_and_meaning_agree() -> None:
    utterance = "are you open on saturday"  # the hours entry's keyword "open"; no other words
    tie = {**all_entries(0.1), entry_id("What are your"): 0.52, entry_id("What warranty"): 0.5}
    policy, _ = policy_with({utterance: MeaningScores(tie)})
    outcome = await say(policy, ConversationState.new(), make_context(), utterance)
    assert outcome.tier is Tier.KNOWLEDGE and outcome.knowledge_id == entry_id("What are your")


def test_a_strong_lexical_match_explaining_every_word_stands_without_meaning() -> None:
    assert hybrid_confidence(0.95, 0.1, explained=1.0) == 0.95  # "do you service lenox"
    assert hybrid_confidence(0.95, 0.1, explained=0.34) < 0.7  # "do you service marco island"
    assert hybrid_confidence(0.85, 0.1, explained=1.0) < 0.7  # not strong enough alone


async def test_a_brand_the_model_does_not_know_is_answered_from_its_keyword() -> None:
    utterance = "financing credit"  # every word is the entry's; the model sees no meaning
    policy, _ = policy_with({utterance: MeaningScores(all_entries(0.1))})
    outcome = await say(policy, ConversationState.new(), make_context(), utterance)
    assert outcome.tier is Tier.KNOWLEDGE and outcome.knowledge_id == entry_id("Do you offer f")


async def test_a_match_on_the_questions_frame_alone_needs_more_meaning() -> None:
    utterance = "do you offer solar"  # "offer" is the financing question's, "solar" is not
    financing = entry_id("Do you offer f")
    assert hybrid_confidence(0.75, 0.48, explained=0.5, anchored=False) < 0.7
    assert hybrid_confidence(0.75, 0.48, explained=0.5, anchored=True) >= 0.7
    assert hybrid_confidence(0.75, 0.6, explained=0.5, anchored=False) >= 0.7
    # the policy answers by the frame's meaning only when the caller names no other thing
    # ("solar" is not what the financing entry is about: `asked_thing.py`)
    for asked, cosine, tier in ((utterance, 0.48, Tier.FALLBACK),
                                (utterance, 0.6, Tier.FALLBACK),
                                ("what do you offer", 0.6, Tier.KNOWLEDGE)):
        policy, _ = policy_with({asked: MeaningScores({**all_entries(0.1),
                                                       financing: cosine})})
        outcome = await say(policy, ConversationState.new(), make_context(), asked)
        assert outcome.tier is tier, (asked, cosine)
