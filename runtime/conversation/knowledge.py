"""Answering from a knowledge base (company Q&A or a trade catalog) with a calibrated score.

Confidence of an entry for an utterance is built from signals on content words (stop
words dropped, light stemming, fuzzy word equality via rapidfuzz so "prices" meets "price"
and STT misspellings still count):

- anchor: the larger of question coverage (share of the entry's question words the
  caller said) and keyword hits (an entry keyword heard in full: 1 hit = 0.75, 2+ = 1.0);
- utterance coverage: share of the caller's words the entry's question or keywords explain;
- rapidfuzz `token_set_ratio` of the two word lists.

raw = 0.45·anchor + 0.40·utterance coverage + 0.15·token_set

Calibration: `raw` goes through a piecewise-linear curve (`_CALIBRATION`) fitted by hand on
the labelled pairs in `tests/conversation/test_policy_knowledge.py` (16 paraphrases of 7
company questions, 7 unrelated questions). On that set paraphrases have raw 0.52 to 1.0 and
unrelated questions under 0.1; the curve maps raw 0.5 → 0.72 and 0.1 → 0.05, so the
default threshold 0.7 separates them with margin and 0.45 (`DECENT_MATCH`, raw ≈ 0.38)
marks an answer worth giving only when the language model has failed. Known limit: one
keyword in a short utterance scores high ("close my account" meets the keyword "close"),
so companies should prefer specific keywords.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from operator import mul

from rapidfuzz import fuzz

from runtime.conversation.misheard import Phrases, repaired
from runtime.conversation.snapshot import KnowledgeEntry
from runtime.conversation.text import asks_about_money, money_words_dropped, normalize
from runtime.conversation.word_match import SOUNDS_ALIKE, Hearing, IndexWords, best_word_match

DECENT_MATCH = 0.45  # below threshold but still a fair answer when the LLM tier fails

_KEYWORD_HIT = 0.85  # mean word match at which a keyword counts as heard
_WEIGHTS = (0.45, 0.40, 0.15)  # anchor, utterance coverage, token set ratio
# (raw, confidence) knots; linear in between, flat outside.
_CALIBRATION = ((0.0, 0.0), (0.1, 0.05), (0.3, 0.3), (0.5, 0.72), (0.75, 0.93), (1.0, 1.0))

_STOPWORD_TEXT = """a an the i im me my we our us you your youre yall guys is are am was were
    be been being
    do does did doing have has had having can could would should will shall may might must
    to of in on at for from by with about as into over under up down out off than then so
    and or but if it its this that these those there here what whats which who whom whose
    when where why how hi hello hey please thanks thank just like want wanted wondering
    need know tell get got any some much many also really very too one ok okay yes yeah
    um uh well lets let see call calling come comes coming go goes going"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())
STOPWORDS = _STOPWORDS  # words that carry no meaning of their own (before stemming)


@dataclass(frozen=True)
class KnowledgeMatch:
    entry: KnowledgeEntry
    confidence: float
    explained: float = 0.0  # share of the caller's content words the entry's words explain
    anchored: bool = False  # a keyword of the entry heard in full, or its whole question
    misheard: bool = False  # heard so only once a misheard word was repaired (`misheard.py`)

    def with_confidence(self, confidence: float) -> KnowledgeMatch:
        """This match at another confidence (the hybrid one, `meaning.rank`): a turn makes
        one per entry, so built directly rather than by `dataclasses.replace` (~4x slower)."""
        return KnowledgeMatch(self.entry, confidence, self.explained, self.anchored,
                              self.misheard)


# One name for trade terms callers say several ways (whole words, after normalisation).
_SAME_TERM = (("air conditioners", "ac"), ("air conditioner", "ac"), ("air conditioning", "ac"))


# What a visit costs is the service call: in a question about money, the company coming
# out is the service call, and the money words are that question's frame ("how much is it
# for you to come out", "what would it cost to have somebody come by"). Without a money
# word, "come out" asks for a visit instead (`intents.wants_booking`).
_COMING_OUT = re.compile(
    r" (?:(?:for|have|get|having|getting) (?:you|you guys|yall|someone|somebody|anyone|"
    r"anybody|an? \w+) )?(?:to )?(?:come|coming) (?:out|over|by|fix|look|check|see) ")


@lru_cache(maxsize=4096)
def content_words(text: str) -> tuple[str, ...]:
    """Normalised, stemmed words that carry meaning; spelled-out letters joined ("g f c i").
    Cached: a turn asks it of the same utterance once per index."""
    text = f" {normalize(text)} "
    for said, term in _SAME_TERM:
        text = text.replace(f" {said} ", f" {term} ")
    if asks_about_money(text) and _COMING_OUT.search(text):
        text = money_words_dropped(_COMING_OUT.sub(" service call ", text))
    words = _join_spelled_letters(text.split())
    return tuple(_stem(word) for word in words if word not in _STOPWORDS)


def _join_spelled_letters(words: list[str]) -> list[str]:
    """Speech recognizers spell abbreviations out: "a c", "e v", "g f c i" → "ac", "ev"..."""
    joined: list[str] = []
    run: list[str] = []
    for word in [*words, ""]:
        if len(word) == 1 and word.isalpha():
            run.append(word)
            continue
        joined.extend(["".join(run)] if len(run) > 1 else run)
        run = []
        if word:
            joined.append(word)
    return joined


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            return word[: -len(suffix)]
    return word


@dataclass(frozen=True)
class _IndexedEntry:
    entry: KnowledgeEntry
    question: tuple[str, ...]
    keywords: tuple[tuple[str, ...], ...]
    vocabulary: frozenset[str]  # question words and keyword words
    question_text: str  # the question's content words, joined by spaces
    phrases: Phrases  # the question and keywords by neighbouring word (misheard words)


class KnowledgeIndex:
    """Entries prepared once per call; `best()` scores an utterance against all of them."""

    def __init__(self, entries: Iterable[KnowledgeEntry]) -> None:
        self._entries: list[_IndexedEntry] = []
        for entry in entries:
            question = content_words(entry.question)
            keywords = tuple(
                words for words in (content_words(keyword) for keyword in entry.keywords) if words
            )
            vocabulary = frozenset(question + tuple(w for kw in keywords for w in kw))
            self._entries.append(_IndexedEntry(entry, question, keywords, vocabulary,
                                               " ".join(question),
                                               Phrases.of((question, *keywords))))
        self._words = IndexWords(word for item in self._entries for word in item.vocabulary)

    def __len__(self) -> int:
        return len(self._entries)

    def ranked(self, utterance: str, limit: int = 5) -> list[KnowledgeMatch]:
        if not content_words(utterance):
            return []
        scored = self.scored(utterance)
        scored.sort(key=lambda match: match.confidence, reverse=True)
        return scored[:limit]

    def scored(self, utterance: str) -> list[KnowledgeMatch]:
        """Every entry with its lexical confidence (0 when the utterance has no content words)."""
        words = content_words(utterance)
        if not words:
            return [KnowledgeMatch(item.entry, 0.0) for item in self._entries]
        hearing = Hearing(self._words)
        return [_scored(words, item, hearing) for item in self._entries]

    def best(self, utterance: str) -> KnowledgeMatch | None:
        ranked = self.ranked(utterance, limit=1)
        return ranked[0] if ranked else None


def _scored(said: tuple[str, ...], item: _IndexedEntry, hearing: Hearing) -> KnowledgeMatch:
    if not item.question and not item.keywords:
        return KnowledgeMatch(item.entry, 0.0)
    if item.vocabulary.isdisjoint(hearing.heard(said)):
        # No word of the entry said, nor one like it (so none to repair either): every
        # coverage is 0, most entries on most turns.
        return _match(item, said, 0.0, 0.0, 0)
    words = repaired(said, item.phrases)
    heard = hearing.heard(words)
    question_cover = _coverage(item.question, heard)
    utterance_cover = _utterance_coverage(words, item.vocabulary, hearing)
    hits = sum(1 for keyword in item.keywords if _coverage(keyword, heard) >= _KEYWORD_HIT)
    return _match(item, words, question_cover, utterance_cover, hits, words is not said)


def _match(item: _IndexedEntry, words: tuple[str, ...], question_cover: float,
           utterance_cover: float, hits: int, misheard: bool = False) -> KnowledgeMatch:
    """The entry's calibrated confidence from its signals (the module's docstring)."""
    keyword_score = 0.0 if hits == 0 else (0.75 if hits == 1 else 1.0)
    set_ratio = fuzz.token_set_ratio(" ".join(words), item.question_text) / 100.0
    anchor = max(question_cover, keyword_score)
    raw = sum(map(mul, _WEIGHTS, (anchor, utterance_cover, set_ratio)))
    return KnowledgeMatch(item.entry, round(piecewise_linear(_CALIBRATION, raw), 4),
                          utterance_cover, hits > 0 or question_cover >= 1.0, misheard)


def _utterance_coverage(words: tuple[str, ...], vocabulary: frozenset[str],
                        hearing: Hearing) -> float:
    """Share of the caller's words the entry explains; two words the recognizer split count
    when neither alone is the entry's but together they are ("good man" is "goodman")."""
    if not words or not vocabulary:
        return 0.0
    alone = [hearing.best(word, vocabulary) for word in words]
    explained = list(alone)
    for at in range(len(words) - 1):
        if max(alone[at], alone[at + 1]) > 0.0:
            continue
        joined = hearing.best(words[at] + words[at + 1], vocabulary)
        if joined >= SOUNDS_ALIKE:
            explained[at] = explained[at + 1] = joined
    return sum(explained) / len(words)


def _coverage(needles: tuple[str, ...], heard: Mapping[str, float]) -> float:
    """Mean over `needles` of the best fuzzy equality with any word heard (`heard`: per
    index word, that equality; `Hearing.heard`)."""
    if not needles:
        return 0.0
    return sum(heard.get(word, 0.0) for word in needles) / len(needles)


def explains(word: str, words: tuple[str, ...]) -> bool:
    """`word` is one of `words` as the matcher hears it: the same, or the same by fuzzy
    spelling or sound, as surely as a keyword counts as heard."""
    return best_word_match(word, words) >= _KEYWORD_HIT


def piecewise_linear(knots: tuple[tuple[float, float], ...], x: float) -> float:
    """The curve through `knots` (x ascending) at `x`; flat beyond the first and last knot."""
    for (x0, y0), (x1, y1) in zip(knots, knots[1:], strict=False):
        if x <= x1:
            return y0 + (y1 - y0) * (max(x, x0) - x0) / (x1 - x0)
    return knots[-1][1]
