"""Misheard words inside a phrase the entry knows (`misheard.py`)."""

from __future__ import annotations

from runtime.conversation.knowledge import KnowledgeIndex
from runtime.conversation.meaning import hybrid_confidence
from runtime.conversation.misheard import Phrases, almost_same, repaired
from runtime.conversation.snapshot import KnowledgeEntry

PHRASES = Phrases.of([("duct", "clean"), ("ceil", "fan")])


def test_a_near_word_counts_when_its_neighbour_confirms_the_phrase() -> None:
    assert repaired(("price", "duck", "clean"), PHRASES) == ("price", "duct", "clean")
    assert repaired(("seal", "fan"), PHRASES) == ("ceil", "fan")  # same sound key


def test_a_near_word_without_the_phrase_around_it_stays_as_said() -> None:
    assert repaired(("duck", "hunt"), PHRASES) == ("duck", "hunt")
    assert repaired(("clean", "duck"), PHRASES) == ("clean", "duck")  # wrong side
    assert repaired(("seal", "clean"), PHRASES) == ("seal", "clean")


def test_almost_the_same_word() -> None:
    assert almost_same("duck", "duct") and almost_same("our", "hour")
    assert almost_same("sealing", "ceiling")
    assert not almost_same("bank", "band cleaning") and not almost_same("ac", "at")
    assert not almost_same("pump", "dump truck")


def test_the_index_answers_a_phrase_with_one_misheard_word() -> None:
    entry = KnowledgeEntry("ducts", "Do you do duct cleaning?", "Yes, from $399.",
                           ("duct cleaning",))
    best = KnowledgeIndex([entry]).best("how much is the duck cleaning")
    assert best is not None and best.confidence >= 0.9 and best.explained == 1.0


def test_a_repaired_phrase_is_judged_by_its_words_not_by_the_misread_sentence() -> None:
    entry = KnowledgeEntry("fans", "Do you install ceiling fans?", "$189 a fan.", ("ceiling fan",))
    best = KnowledgeIndex([entry]).best("what do you charge for a sealing fan")
    assert best is not None and best.misheard and best.anchored
    assert hybrid_confidence(best.confidence, 0.2, best.explained, best.anchored,
                             misheard=True) == best.confidence >= 0.7
    assert hybrid_confidence(best.confidence, 0.2, best.explained, best.anchored) < 0.7
    clean = KnowledgeIndex([entry]).best("what do you charge for a ceiling fan")
    assert clean is not None and not clean.misheard


def test_a_spelling_variant_the_matcher_already_equates_is_not_a_mishearing() -> None:
    phrases = Phrases.of([("fix", "leak")])
    assert repaired(("fix", "leaky", "roof"), phrases) == ("fix", "leaky", "roof")
    assert not almost_same("leaky", "leak")
    assert repaired(("office", "our"), Phrases.of([("office", "hour")])) == ("office", "hour")
