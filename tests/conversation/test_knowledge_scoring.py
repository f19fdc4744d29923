"""The lexical score (`KnowledgeIndex.scored`, matching words per index through
`word_match.Hearing`) is exactly the straightforward one: every entry word compared with
every caller word, pair by pair, over every utterance of the scenario evals (all held-out
sets) and every index of their three sample companies."""

from __future__ import annotations

import dataclasses
from functools import cache

import pytest
from rapidfuzz import fuzz

from runtime.conversation.company_reading import CompanyReading
from runtime.conversation.knowledge import (
    _CALIBRATION,
    _KEYWORD_HIT,
    _WEIGHTS,
    KnowledgeIndex,
    KnowledgeMatch,
    content_words,
    piecewise_linear,
)
from runtime.conversation.misheard import Phrases, repaired
from runtime.conversation.snapshot import KnowledgeEntry
from runtime.conversation.word_match import SOUNDS_ALIKE, best_word_match, with_joined_pairs
from tests.evals.scenarios import SUITE, load_companies, load_scenarios

# Words the eval utterances rarely bring: spelled letters, split compounds, sound-alikes,
# an exact entry word under four letters, and no content words at all.
EXTRA = ("a c", "g f c i outlet", "thermo stat nest", "duck cleaning price", "lenox train",
         "ac ac", "", "uh um", "how much", "pricing prices priced", "plumber plumbing")


def reference(utterance: str, entry: KnowledgeEntry) -> KnowledgeMatch:
    """The score as its definition reads (`knowledge.py`'s docstring), pair by pair."""
    said = content_words(utterance)
    question = content_words(entry.question)
    keywords = tuple(words for words in map(content_words, entry.keywords) if words)
    if not said or (not question and not keywords):
        return KnowledgeMatch(entry, 0.0)
    vocabulary = tuple(dict.fromkeys(question + tuple(w for kw in keywords for w in kw)))
    words = repaired(said, Phrases.of((question, *keywords)))
    heard = with_joined_pairs(words)

    def coverage(needles: tuple[str, ...]) -> float:
        return sum(best_word_match(w, heard) for w in needles) / len(needles) if needles else 0.0

    alone = [best_word_match(word, vocabulary) for word in words]
    explained = list(alone)
    for at in range(len(words) - 1):
        joined = best_word_match(words[at] + words[at + 1], vocabulary)
        if max(alone[at], alone[at + 1]) == 0.0 and joined >= SOUNDS_ALIKE:
            explained[at] = explained[at + 1] = joined
    utterance_cover = sum(explained) / len(words)
    question_cover = coverage(question)
    hits = sum(coverage(keyword) >= _KEYWORD_HIT for keyword in keywords)
    anchor = max(question_cover, 0.0 if hits == 0 else (0.75 if hits == 1 else 1.0))
    set_ratio = fuzz.token_set_ratio(" ".join(words), " ".join(question)) / 100.0
    raw = sum(w * s for w, s in zip(_WEIGHTS, (anchor, utterance_cover, set_ratio), strict=True))
    return KnowledgeMatch(entry, round(piecewise_linear(_CALIBRATION, raw), 4), utterance_cover,
                          hits > 0 or question_cover >= 1.0, words != said)


@cache
def companies() -> dict[str, tuple[KnowledgeIndex, ...]]:
    readings = {key: CompanyReading.of(snapshot) for key, snapshot in load_companies().items()}
    return {key: (reading.company_index, *reading.trade_indexes, *reading.other_trade_indexes)
            for key, reading in readings.items()}


def utterances() -> list[tuple[str, str]]:
    folders = [SUITE / "scenarios", *sorted(SUITE.glob("heldout*/"))]
    said = [(scenario.company, scenario.say) for folder in folders if folder.is_dir()
            for scenario in load_scenarios(folder)]
    return said + [(company, text) for company in companies() for text in EXTRA]


def entries(index: KnowledgeIndex) -> list[KnowledgeEntry]:
    return [match.entry for match in index.scored("")]


@pytest.mark.parametrize("company", sorted(companies()))
def test_scores_equal_the_pair_by_pair_reference_on_every_eval_utterance(company: str) -> None:
    said = [text for owner, text in utterances() if owner == company]
    assert len(said) > 100
    for index in companies()[company]:
        for text in said:
            assert index.scored(text) == [reference(text, entry) for entry in entries(index)], \
                text



def test_a_match_at_another_confidence_keeps_every_other_field() -> None:
    """`with_confidence` names the fields itself (for speed): a new field must join it."""
    entry = KnowledgeEntry("fee", "What is your trip charge?", "It's $69.", ("trip charge",))
    match = KnowledgeMatch(entry, 0.5, explained=0.75, anchored=True, misheard=True)
    assert match.with_confidence(0.9) == dataclasses.replace(match, confidence=0.9)
    assert [field.name for field in dataclasses.fields(KnowledgeMatch)] == [
        "entry", "confidence", "explained", "anchored", "misheard"]
