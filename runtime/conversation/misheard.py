"""Words the recognizer misheard inside a phrase the entry knows ("duck cleaning" for "duct
cleaning", "sealing fan" for "ceiling fan", "office ours" for "office hours").

A caller's word that matches nothing of an entry counts as the entry's word when it is
almost that word (one letter apart, or the same sound key however short) AND its
neighbour in the caller's sentence is, exactly, that word's neighbour in one of the
entry's phrases (its question or a keyword). Alone, near words are too many ("seal" and
"sale", "duck" and "dock"); the phrase around them is the evidence that the caller meant
the entry's words.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

import jellyfish
from rapidfuzz import fuzz

from runtime.conversation.text import MIN_FUZZY_LETTERS, WORD_MATCH

_MIN_LETTERS = 3  # shorter words are too easily one letter apart


@dataclass(frozen=True)
class Phrases:
    """An entry's phrases, by neighbour: which of its words come right after (`after`) or
    right before (`before`) a given word. Built once per entry."""

    after: Mapping[str, tuple[str, ...]]
    before: Mapping[str, tuple[str, ...]]
    known: frozenset[str]  # every word of the phrases (an exact match needs no repair)

    @staticmethod
    def of(phrases: Iterable[tuple[str, ...]]) -> Phrases:
        after: dict[str, list[str]] = {}
        before: dict[str, list[str]] = {}
        known: set[str] = set()
        for phrase in phrases:
            known.update(phrase)
            for first, second in zip(phrase, phrase[1:], strict=False):
                after.setdefault(first, []).append(second)
                before.setdefault(second, []).append(first)
        return Phrases({word: tuple(words) for word, words in after.items()},
                       {word: tuple(words) for word, words in before.items()},
                       frozenset(known))


def repaired(words: tuple[str, ...], phrases: Phrases) -> tuple[str, ...]:
    """`words` with each unknown word replaced by the phrase word it was misheard for."""
    if phrases.known.isdisjoint(words):
        return words  # no neighbour to confirm anything (most entries, most turns)
    fixed: list[str] | None = None
    for at, word in enumerate(words):
        if word in phrases.known or len(word) < _MIN_LETTERS:
            continue
        candidates = (*(phrases.after.get(words[at - 1], ()) if at > 0 else ()),
                      *(phrases.before.get(words[at + 1], ()) if at + 1 < len(words) else ()))
        meant = next((other for other in candidates if almost_same(word, other)), None)
        if meant is not None:
            fixed = fixed if fixed is not None else list(words)
            fixed[at] = meant
    return words if fixed is None else tuple(fixed)


@lru_cache(maxsize=1 << 14)
def almost_same(word: str, other: str) -> bool:
    """One letter apart, or the same Metaphone key (any length): a recognizer's slip. Not
    a variant the matcher already equates by spelling ("leaky" and "leak"): that is the
    caller's own word, and the sentence model read it right."""
    shortest = min(len(word), len(other))
    if shortest < _MIN_LETTERS or (
            shortest >= MIN_FUZZY_LETTERS and fuzz.ratio(word, other) >= WORD_MATCH):
        return False
    if jellyfish.levenshtein_distance(word, other) <= 1:
        return True
    key = jellyfish.metaphone(word)
    return len(key) >= 2 and key == jellyfish.metaphone(other)
