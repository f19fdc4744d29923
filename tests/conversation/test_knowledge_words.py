"""The words the lexical matcher compares (`knowledge.content_words`)."""

from __future__ import annotations

from runtime.conversation.knowledge import KnowledgeIndex, content_words
from runtime.conversation.snapshot import KnowledgeEntry

SERVICE_CALL = KnowledgeEntry("fee", "What is your trip charge?", "It's $69.",
                              ("service call", "trip charge"))


def test_coming_out_in_a_question_about_money_is_the_service_call() -> None:
    assert content_words("what does it cost for someone to come over") == ("service",)
    assert content_words("whats the price to have a plumber come by") == ("service",)
    assert content_words("what does a new unit cost") == ("new", "unit", "cost")
    assert content_words("can you come out tomorrow") == ("tomorrow",)  # a visit, not a fee


def test_a_fee_question_worded_as_a_visit_finds_the_service_call_entry() -> None:
    index = KnowledgeIndex([SERVICE_CALL])
    best = index.best("how much would it be for you to come out here")
    assert best is not None and best.confidence >= 0.9 and best.anchored
    visit = index.best("can you come out here")
    assert visit is None or visit.confidence < 0.2
