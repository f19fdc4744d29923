"""Text normalisation and phrase spotting shared by every detector in the policy.

Speech-to-text gives lower-case-ish text with loose punctuation, so everything is
compared in one normal form: lower case, apostrophes dropped ("isn't" → "isnt"), any
other punctuation turned into a space, single spaces.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

import jellyfish

_APOSTROPHES = re.compile(r"['’`]")
_NON_WORD = re.compile(r"[^a-z0-9]+")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")

# Words that turn a following phrase into its opposite ("I don't smell gas").
_NEGATIONS = frozenset({"no", "not", "dont", "doesnt", "didnt", "isnt", "never", "without"})
_NEGATION_WINDOW = 2  # how many words before a phrase may negate it
WORD_MATCH = 80.0  # rapidfuzz ratio at which two words count as the same word...
MIN_FUZZY_LETTERS = 4  # ...both this long at least: shorter ones only exactly ("ac", "at")


_MONEY = re.compile(r"\b(how much|charge|charges|cost|costs|price|prices|fee|fees|pay|"
                    r"expensive|cheap)\b")


def asks_about_money(normalized_text: str) -> bool:
    """The (normalised) words ask what something costs."""
    return _MONEY.search(normalized_text) is not None


def money_words_dropped(normalized_text: str) -> str:
    return _MONEY.sub(" ", normalized_text)


@lru_cache(maxsize=4096)
def normalize(text: str) -> str:
    """Cached: the detectors' phrase lists are normalised again on every check."""
    lowered = _APOSTROPHES.sub("", text.lower())
    return _NON_WORD.sub(" ", lowered).strip()


def sounds_alike(first: str, second: str) -> bool:
    """Two words a recognizer could swap: the same Metaphone key ("train"/"trane",
    "napels"/"naples", "temp"/"tempe"). Keys under 3 letters say too little ("seal" and
    "sale" are both "SL"), and words under 4 letters never count."""
    key = sound_key(first)
    return key is not None and key == sound_key(second)


@lru_cache(maxsize=4096)
def sound_key(word: str) -> str | None:
    """The word's Metaphone key, or None when the word or key is too short to say much."""
    if len(word) < MIN_FUZZY_LETTERS:
        return None
    key = str(jellyfish.metaphone(word))
    return key if len(key) >= 3 else None


def words(text: str) -> list[str]:
    """The words of already-normalised text."""
    return text.split()


def find_phrase(normalized_text: str, phrase: str, *, allow_negated: bool = False) -> bool:
    """True when `phrase` occurs as whole words in `normalized_text`, not negated.

    `phrase` may be raw text; it is normalised the same way as the utterance.
    """
    target = normalize(phrase)
    if not target:
        return False
    haystack = f" {normalized_text} "
    start = haystack.find(f" {target} ")
    while start != -1:
        if allow_negated or not negated_before(haystack[:start]):
            return True
        start = haystack.find(f" {target} ", start + 1)
    return False


def find_any(normalized_text: str, phrases: Iterable[str]) -> str | None:
    """The first phrase of `phrases` found (not negated) in the text, or None."""
    for phrase in phrases:
        if find_phrase(normalized_text, phrase):
            return phrase
    return None


def negated_before(prefix: str, window: int = _NEGATION_WINDOW) -> bool:
    """A negation among the last `window` words of `prefix` (the text before a phrase)."""
    preceding = prefix.split()[-window:]
    return any(word in _NEGATIONS for word in preceding)


def fill_template(template: str, values: Mapping[str, str]) -> str:
    """Replace `{name}` placeholders that have a value; leave unknown ones as written."""
    return _PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), template)
