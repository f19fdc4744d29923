"""Fuzzy word equality for the lexical matcher (`knowledge.py`), and its fast form per index.

Two words are the same word surely (1.0) when equal, else by spelling (rapidfuzz ratio at
least `WORD_MATCH`, both at least `MIN_FUZZY_LETTERS` long: ratio / 100) and, failing
that, by sound (the same Metaphone key: `_SOUNDS_ALIKE`). `word_match` says it of one pair.

Scoring an utterance against an index asks it of every caller word against every entry
word, several hundred pairs a turn, and most pairs match nothing. `IndexWords` turns it
around: once per index, its words by spelling length and by sound key; once per caller
word, the few index words it matches at all (`near`, one rapidfuzz call in C over the
whole index, cached per index). A `Hearing` (one utterance, one index) then answers each
entry's "best match of this word among those" from those few, with the same numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache

from rapidfuzz import fuzz, process

from runtime.conversation.text import MIN_FUZZY_LETTERS, WORD_MATCH, sound_key, sounds_alike

SOUNDS_ALIKE = 0.9  # word match of two words that sound the same ("train" for "Trane")
_NEAR_CACHE = 4096  # caller words remembered per index (their matches among its words)


@lru_cache(maxsize=1 << 16)
def word_match(word: str, other: str) -> float:
    """How surely two different words are the same word: fuzzy spelling, else sound.
    Cached: the same pairs recur across entries and turns."""
    if min(len(word), len(other)) < MIN_FUZZY_LETTERS:
        return 0.0
    score = fuzz.ratio(word, other)
    best = score / 100.0 if score >= WORD_MATCH else 0.0
    if best < SOUNDS_ALIKE and sounds_alike(word, other):
        best = SOUNDS_ALIKE
    return best


def best_word_match(word: str, haystack: tuple[str, ...]) -> float:
    """The best equality of `word` with any word of `haystack` (0.0 when none)."""
    if word in haystack:
        return 1.0
    return max([word_match(word, other) for other in haystack], default=0.0)


def with_joined_pairs(words: tuple[str, ...]) -> tuple[str, ...]:
    """The words plus each adjacent pair written as one ("tank less" → "tankless"), as
    recognizers split compound words and names ("thermo stat", "lake wood")."""
    pairs = zip(words, words[1:], strict=False)
    return words + tuple(first + second for first, second in pairs)


class IndexWords:
    """Every word of an index's entries, prepared once to find a caller word's matches."""

    def __init__(self, words: Iterable[str]) -> None:
        self._exact = frozenset(words)
        self._spelled = tuple(sorted(word for word in self._exact
                                     if len(word) >= MIN_FUZZY_LETTERS))
        by_sound: dict[str, list[str]] = {}
        for word in self._spelled:
            key = sound_key(word)
            if key is not None:
                by_sound.setdefault(key, []).append(word)
        self._by_sound = {key: tuple(words) for key, words in by_sound.items()}
        self.near = lru_cache(maxsize=_NEAR_CACHE)(self._near)

    def _near(self, word: str) -> Mapping[str, float]:
        """The index's words `word` matches at all, with `word_match`'s number (1.0 for
        itself); read-only (cached)."""
        found = {word: 1.0} if word in self._exact else {}
        if len(word) < MIN_FUZZY_LETTERS:
            return found
        for other, score, _ in process.extract(word, self._spelled, scorer=fuzz.ratio,
                                               score_cutoff=WORD_MATCH, limit=None):
            if other != word:
                found[other] = score / 100.0
        key = sound_key(word)
        for other in self._by_sound.get(key, ()) if key is not None else ():
            if other != word and found.get(other, 0.0) < SOUNDS_ALIKE:
                found[other] = SOUNDS_ALIKE
        return found


class Hearing:
    """One utterance against one index: each entry's word matches, from `IndexWords.near`."""

    def __init__(self, index_words: IndexWords) -> None:
        self._near = index_words.near
        self._heard: dict[tuple[str, ...], Mapping[str, float]] = {}

    def best(self, word: str, among: frozenset[str]) -> float:
        """`best_word_match(word, among)` for `among` a subset of the index's words."""
        if word in among:
            return 1.0
        return max([score for other, score in self._near(word).items() if other in among],
                   default=0.0)

    def heard(self, said: tuple[str, ...]) -> Mapping[str, float]:
        """Per index word, its best match with any of `with_joined_pairs(said)` (absent:
        0.0): what `best_word_match(entry_word, ...)` gives, for every entry word at once."""
        found = self._heard.get(said)
        if found is None:
            best: dict[str, float] = {}
            for word in dict.fromkeys(with_joined_pairs(said)):
                for other, score in self._near(word).items():
                    if score > best.get(other, 0.0):
                        best[other] = score
            found = self._heard[said] = best
        return found
