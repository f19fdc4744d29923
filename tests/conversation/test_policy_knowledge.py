"""Answers from the company's knowledge base and its trades' catalogs, with a calibrated score.

The labelled pairs below are the calibration set documented in
`runtime/conversation/knowledge.py`: paraphrases must clear the default 0.7 threshold,
unrelated questions must stay far below it.
"""

from __future__ import annotations

import pytest
from policy_builders import KNOWLEDGE, make_company, make_knowledge, make_snapshot, policy_for, say

from runtime.conversation import KnowledgeIndex, Listen, Tier
from runtime.conversation.snapshot import KnowledgeEntry
from runtime.conversation.text import sounds_alike

PARAPHRASES = [
    ("when are you open", 0),
    ("what time do you close today", 0),
    ("what are your hours of operation", 0),
    ("are you open on saturday", 0),
    ("how much is a service call", 1),
    ("what's your diagnostic fee", 1),
    ("which cities do you cover", 2),
    ("do you serve my area", 2),
    ("do you have payment plans", 3),
    ("can I finance a new system", 3),
    ("is there a warranty on your work", 4),
    ("do you guarantee your repairs", 4),
    ("are you guys licensed", 5),
    ("are your techs insured", 5),
    ("do you have a membership program", 6),
    ("do you have maintenance plans", 6),
]
UNRELATED = [
    "my dog ate my homework",
    "what's the weather tomorrow",
    "can you recommend a good pizza place",
    "who won the game last night",
    "I want to cancel my cable subscription",
    "do you sell cars",
    "what is the meaning of life",
]


@pytest.fixture(scope="module")
def index() -> KnowledgeIndex:
    return KnowledgeIndex(
        KnowledgeEntry(str(number), q, a, tuple(k)) for number, (q, a, k) in enumerate(KNOWLEDGE)
    )


@pytest.mark.parametrize(("utterance", "expected"), PARAPHRASES)
def test_paraphrase_finds_its_entry_above_the_default_threshold(
    index: KnowledgeIndex, utterance: str, expected: int
) -> None:
    match = index.best(utterance)
    assert match is not None
    assert match.entry.id == str(expected)
    assert match.confidence >= 0.7


@pytest.mark.parametrize("utterance", UNRELATED)
def test_unrelated_question_scores_low(index: KnowledgeIndex, utterance: str) -> None:
    match = index.best(utterance)
    assert match is None or match.confidence < 0.35


def test_confidence_is_a_fraction_and_exact_questions_score_highest(index: KnowledgeIndex) -> None:
    exact = index.best("Do you offer financing?")
    assert exact is not None and exact.confidence >= 0.95
    assert all(0.0 <= m.confidence <= 1.0 for m in index.ranked("financing hours", limit=10))


async def test_faq_is_answered_from_company_knowledge() -> None:
    policy, state, ctx = policy_for()
    outcome = await say(policy, state, ctx, "Hi, how much do you charge for a service call?")
    assert outcome.tier == Tier.KNOWLEDGE
    assert outcome.text == "Our service call fee is $89."
    assert outcome.confidence is not None and outcome.confidence >= 0.7
    assert outcome.knowledge_id == policy.snapshot.knowledge[1].id
    assert isinstance(outcome.action, Listen)
    assert "match" in outcome.timings_ms and "total" in outcome.timings_ms
    assert state.history[-1] == ("agent", "Our service call fee is $89.")


async def test_a_higher_threshold_sends_the_same_question_to_the_next_tier() -> None:
    question = "what time do you close today"
    policy, state, ctx = policy_for()
    first = await say(policy, state, ctx, question)
    assert first.tier == Tier.KNOWLEDGE and first.confidence is not None

    strict = make_company(aiSettings={"semanticKnowledge": {"confidenceThreshold": 0.99}})
    policy, state, ctx = policy_for(snapshot=make_snapshot(strict))
    outcome = await say(policy, state, ctx, question)
    assert outcome.tier == Tier.FALLBACK  # no LLM configured: a personality line
    assert outcome.text in strict.personalityResponses.cantUnderstand


async def test_disabled_semantic_knowledge_and_inactive_entries_are_skipped() -> None:
    off = make_company(aiSettings={"semanticKnowledge": {"enabled": False}})
    policy, state, ctx = policy_for(snapshot=make_snapshot(off))
    assert (await say(policy, state, ctx, "Do you offer financing?")).tier == Tier.FALLBACK

    snapshot = make_snapshot(knowledge=make_knowledge(inactive=[3]))
    assert len(snapshot.knowledge) == len(KNOWLEDGE) - 1
    policy, state, ctx = policy_for(snapshot=snapshot)
    assert (await say(policy, state, ctx, "Do you offer financing?")).tier == Tier.FALLBACK


async def test_trade_catalog_answers_only_for_the_company_trades() -> None:
    policy, state, ctx = policy_for()  # an HVAC company
    hvac = await say(policy, state, ctx, "how often should I change my air filter")
    assert hvac.tier == Tier.TRADE_KNOWLEDGE
    assert "one to three months" in hvac.text
    assert hvac.knowledge_id is None

    plumbing_question = "how do I fix a running toilet"
    outcome = await say(policy, state, ctx, plumbing_question)
    assert outcome.tier == Tier.FALLBACK
    assert "flapper" not in outcome.text
    assert outcome.text in make_company().personalityResponses.outOfCategory

    plumber = make_company(tradeCategories=["Plumbing"])
    policy, state, ctx = policy_for(snapshot=make_snapshot(plumber))
    answered = await say(policy, state, ctx, plumbing_question)
    assert answered.tier == Tier.TRADE_KNOWLEDGE and "flapper" in answered.text


def test_words_the_recognizer_split_or_spelled_out_still_meet_their_keywords() -> None:
    index = KnowledgeIndex([
        KnowledgeEntry("tankless", "Do you install tankless water heaters?", "Yes.",
                       ("tankless",)),
        KnowledgeEntry("gfci", "What is a GFCI outlet?", "A safety outlet.", ("gfci",)),
        KnowledgeEntry("hours", "What are your hours?", "9 to 5.", ("hours",)),
    ])
    for heard, expected in [("do you put in tank less heaters", "tankless"),
                            ("my g f c i keeps popping", "gfci")]:
        best = index.best(heard)
        assert best is not None and best.entry.id == expected and best.confidence >= 0.7, heard


def test_misheard_names_and_other_words_for_a_term_still_meet_their_entry() -> None:
    index = KnowledgeIndex([
        KnowledgeEntry("trane", "Do you service Trane units?", "Yes.", ("Trane", "Rheem")),
        KnowledgeEntry("life", "How long does an AC unit last?", "15 years.", ()),
        KnowledgeEntry("warm", "Why is my air conditioner blowing warm air?", "Filter.", ()),
    ])
    for heard, expected in [("do you fix train", "trane"),  # by sound: the keyword counts
                            ("how long do air conditioners last", "life")]:  # "ac" too
        best = index.best(heard)
        assert best is not None and best.entry.id == expected and best.confidence >= 0.7, heard


def test_words_sound_alike_only_when_their_sound_keys_say_enough() -> None:
    assert sounds_alike("train", "trane") and sounds_alike("napels", "naples")
    assert not sounds_alike("seal", "sale")  # a two-letter key ("SL") says too little
    assert not sounds_alike("ac", "ax")  # short words never
    assert not sounds_alike("solar", "sewer")


def test_words_the_recognizer_split_are_explained_only_when_they_join_into_one() -> None:
    index = KnowledgeIndex([
        KnowledgeEntry("brands", "What AC brands do you work on?", "All.", ("Goodman",)),
        KnowledgeEntry("licensed", "Are your technicians licensed?", "Yes.", ()),
    ])
    split = index.best("do you work on good man")
    assert split is not None and split.entry.id == "brands" and split.explained == 1.0
    glued = index.best("are your technicians ac guys")  # "technician" alone already matches
    assert glued is not None and glued.explained == 0.5  # "ac" is not explained by gluing
