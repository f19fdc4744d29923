"""Questions about some other business or thing are not answered from the company's
knowledge (`subject.py`, and the other-business rule of `meaning.hybrid_confidence`)."""

from __future__ import annotations

from policy_builders import OFFICE_HOURS, make_context, make_snapshot, say

from runtime.conversation import ConversationState, DialoguePolicy, Tier
from runtime.conversation.meaning import MeaningScores, hybrid_confidence
from runtime.conversation.subject import CompanyVocabulary, about_something_else
from runtime.conversation.trade_knowledge import company_vocabulary
from tenancy.catalog.intent_examples import OTHER_BUSINESS
from tenancy.models import CompanyQnA

VOCABULARY = CompanyVocabulary(["What are your hours? We're open 8 to 5.",
                                "Is the service call fee applied to the repair?"])


def test_a_question_about_a_named_thing_the_company_does_not_know_is_someone_elses() -> None:
    for question in ("what time does the bakery open", "is the library closed today",
                     "when does the hardware store close", "is the museum open on mondays",
                     "can you tell me when the library opens",
                     "do you know what time the bakery closes"):
        assert about_something_else(question, VOCABULARY), question
    for question in ("what time do you open", "is the service call fee the same at night",
                     "does the repair come with a fee", "is it open late", "are you open",
                     "is the upstairs unit covered", "are the parts extra",
                     "can you tell me when the office opens"):
        assert not about_something_else(question, VOCABULARY), question


async def test_the_policy_does_not_answer_another_business_hours_with_its_own() -> None:
    snapshot = make_snapshot()
    policy = DialoguePolicy(snapshot, None, clock=lambda: OFFICE_HOURS)
    assert company_vocabulary(snapshot).knows("hours")
    own = await say(policy, ConversationState.new(), make_context(), "when do you open")
    assert own.tier is Tier.KNOWLEDGE
    theirs = await say(policy, ConversationState.new(), make_context(),
                       "when does the courthouse open")
    assert theirs.tier is Tier.FALLBACK and theirs.knowledge_id is None


def test_a_look_alike_closer_to_another_business_keeps_only_its_words() -> None:
    assert hybrid_confidence(0.04, 0.51) > 0.7  # meaning alone would answer...
    assert hybrid_confidence(0.04, 0.51, elsewhere=0.77) < 0.1  # ...not another business's
    assert hybrid_confidence(0.95, 0.51, explained=1.0, elsewhere=0.77) == 0.95  # full words
    assert hybrid_confidence(0.04, 0.51, elsewhere=0.3) > 0.7  # the entry is closer


async def test_the_policy_gives_no_answer_to_another_line_of_business() -> None:
    snapshot = make_snapshot()
    utterance = "what do you think of my travel plans"
    near = {entry.id: 0.55 if entry.question.startswith("What areas") else 0.1
            for entry in snapshot.knowledge}

    class Scripted:
        def __init__(self, elsewhere: float) -> None:
            self.elsewhere = elsewhere

        def score(self, text: str) -> MeaningScores:
            return MeaningScores(near, intents={OTHER_BUSINESS: self.elsewhere})

    for elsewhere, tier in ((0.3, Tier.KNOWLEDGE), (0.7, Tier.FALLBACK)):
        policy = DialoguePolicy(snapshot, None, clock=lambda: OFFICE_HOURS,
                                meaning=Scripted(elsewhere))
        outcome = await say(policy, ConversationState.new(), make_context(), utterance)
        assert outcome.tier is tier, elsewhere


async def test_a_misheard_subject_the_entry_explains_in_full_is_still_answered() -> None:
    ducts = CompanyQnA(question="Do you do duct cleaning?", answer="Yes, from $399.",
                       keywords=["duct cleaning"])
    snapshot = make_snapshot(knowledge=[ducts])
    policy = DialoguePolicy(snapshot, None, clock=lambda: OFFICE_HOURS)
    for asked in ("how much is the duck cleaning", "is the duck cleaning worth the money"):
        assert about_something_else(asked, company_vocabulary(snapshot))
        outcome = await say(policy, ConversationState.new(), make_context(), asked)
        assert outcome.tier is Tier.KNOWLEDGE and "$399" in outcome.text, asked


def test_a_frame_only_match_on_words_the_company_never_mentions_keeps_no_meaning() -> None:
    vocabulary = CompanyVocabulary(["Do you do duct cleaning?", "We clean air ducts."])
    assert vocabulary.foreign_share(("remove", "mold", "duct")) == 2 / 3
    assert vocabulary.foreign_share(("ducts", "clean")) == 0.0  # fuzzy spelling counts
    assert vocabulary.foreign_share(()) == 0.0
    frame_only = {"lexical": 0.6, "cosine": 0.71, "explained": 0.33, "anchored": False}
    assert hybrid_confidence(**frame_only, foreign=1 / 3) > 0.8  # mostly the company's words
    assert hybrid_confidence(**frame_only, foreign=2 / 3) == 0.6  # mostly not: words only
    anchored = {**frame_only, "anchored": True}
    assert hybrid_confidence(**anchored, foreign=2 / 3) > 0.8  # a keyword heard: not frame
