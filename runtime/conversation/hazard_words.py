"""An utterance as word stems, for hazard signs heard in any inflection and word order.

"smoking", "smoked" and "smokes" all stem to "smoke" (the Snowball English stemmer), so
a sign written once as a term matches every inflection; irregular forms the stemmer keeps
apart ("burnt", "froze") are mapped onto the regular stem here. Terms are kept by their
first stem, so looking for a set of them costs one dict lookup per word said.

A term heard right after a negation in the same clause ("there's no smoke", "I can't smell
gas") does not count; `hypothetical` tells the words of a question about what might be
("how do I keep my pipes from bursting", "what do I do if the power line comes down").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

from runtime.conversation.text import normalize

_STEMMER = snowballstemmer.stemmer("english")
_IRREGULAR = {"burnt": "burn", "froze": "freez", "frozen": "freez", "broke": "break",
              "broken": "break"}

_HESITATIONS = frozenset({"um", "uh", "umm", "uhh", "uhm", "er", "erm", "hmm", "ah"})
_DROPPED_G_MIN_LENGTH = 5  # "smokin" but not "basin" or "cabin"
_NEGATIONS = frozenset({"no", "not", "dont", "doesnt", "didnt", "isnt", "arent", "wasnt",
                        "never", "without", "nothing", "cant", "cannot", "havent", "hasnt"})
_ANSWERED = frozenset({"no", "i", "im", "sorry", "actually", "wait"})  # what follows a "no"
# said in correction, not in negation ("no the smoke was from the fireplace" still denies)
_COMPARISONS = frozenset({("like", "this"), ("this", "bad"), ("this", "strong"),
                          ("this", "much"), ("this", "high"), ("this", "loud")})  # "never"
# said of how it is now: "never smelled gas like this", "never seen the water this high"
_NEGATION_WINDOW = 3  # words before a term that may negate it
_CONTROL_VERBS = frozenset({  # "I can't shut off the gas", "can't stop the water": the
    # trying failed, the hazard is there ("I can't smell gas" is still negated)
    "stop", "keep", "turn", "shut", "close", "get"})
_ARTICLES = frozenset({"a", "an", "the", "any"})
_ARTICLE_ALLOWANCE = 2  # articles among those words, not counted
_CLAUSE_BREAKS = frozenset({"but", "and", "so", "because", "now", "then", "its", "theres"})
_HYPOTHETICAL = frozenset({"prevent", "preventing", "avoid", "case", "incase", "whether",
                           "normal", "supposed"})
_HYPOTHETICAL_WINDOW = 6
_SEEN = ["that"]  # "normal that ...": what is seen, no supposition
_QUESTION_WORDS = frozenset({"what", "how"})
_KEEPING = frozenset({"keep", "stop", "protect", "save"})  # "keep my pipes from bursting"

Span = tuple[int, int]  # word positions [start, end) of a term heard in an utterance


@lru_cache(maxsize=8192)
def stem(word: str) -> str:
    """The Snowball stem; speech-to-text's dropped g ("smokin", "sparkin") put back."""
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word.endswith("in") and len(word) > _DROPPED_G_MIN_LENGTH:
        word += "g"
    return str(_STEMMER.stemWord(word))


@dataclass(frozen=True)
class Terms:
    """A set of terms (one or more words each), matched on stems, or on the words
    themselves when `exact` ("fire" must not meet "fired up")."""

    by_first: dict[str, tuple[tuple[str, ...], ...]]
    exact: bool = False

    @classmethod
    def of(cls, phrases: Iterable[str], exact: bool = False) -> Terms:
        by_first: dict[str, list[tuple[str, ...]]] = {}
        for phrase in phrases:
            words = normalize(phrase).split()
            key = tuple(words) if exact else tuple(stem(word) for word in words)
            if key not in by_first.setdefault(key[0], []):
                by_first[key[0]].append(key)
        return cls({first: tuple(keys) for first, keys in by_first.items()}, exact)

    def __add__(self, other: Terms) -> Terms:
        merged = {first: (*self.by_first.get(first, ()), *other.by_first.get(first, ()))
                  for first in {*self.by_first, *other.by_first}}
        return Terms(merged, self.exact)


class Heard:
    """One utterance's words and their stems, without hesitations: "we have no uh heat"
    says the phrase "no heat", "the pipe um burst" a burst pipe."""

    def __init__(self, text: str) -> None:
        self.words = [word for word in normalize(text).split() if word not in _HESITATIONS]
        self.stems = [stem(word) for word in self.words]

    def spans(self, terms: Terms, *, affirmed: bool = True) -> list[Span]:
        """Where the terms are heard, in order; with `affirmed`, only those not negated."""
        tokens = self.words if terms.exact else self.stems
        found: list[Span] = []
        negated: list[Span] = []
        for start, token in enumerate(tokens):
            for key in terms.by_first.get(token, ()):
                end = start + len(key)
                if tuple(tokens[start:end]) == key:
                    (negated if affirmed and self.negated(start) else found).append((start, end))
        if not negated:
            return found
        # a term inside a negated one is negated too: "doesnt put out carbon monoxide"
        return [(start, end) for start, end in found
                if not any(n_start <= start and end <= n_end for n_start, n_end in negated)]

    def heard(self, terms: Terms) -> bool:
        return bool(self.spans(terms))

    def negated(self, start: int) -> bool:
        """A negation within three words before, not counting articles ("doesn't put out
        any carbon monoxide"). A "no" said twice or before a correction corrects the agent
        ("no no the pipe burst", "no i mean the water is pouring"): it negates nothing, as
        "no smoke" does; nor does a "never" that compares with now ("i've never smelled gas
        like this before": the caller smells it, stronger than ever)."""
        before = self._clause_before(start, _NEGATION_WINDOW + _ARTICLE_ALLOWANCE)
        counted = 0
        for at in range(len(before) - 1, -1, -1):
            word = before[at]
            if word == "no" and self._correcting(start - len(before) + at, start):
                continue
            if word == "never" and self._compared_with_now(start):
                continue
            if word in _NEGATIONS:
                return before[at + 1:at + 2] == [] or before[at + 1] not in _CONTROL_VERBS
            counted += word not in _ARTICLES
            if counted == _NEGATION_WINDOW:
                return False
        return False

    def hypothetical(self, start: int) -> bool:
        """"prevent ...", "in case of ...", "keep X from ...", "what do I do if ...". Not
        what follows "is it normal that": "is it normal that my outlet is sparking" asks
        about what the caller sees ("is it normal for a heat pump to smoke" supposes)."""
        before = self._clause_before(start, _HYPOTHETICAL_WINDOW)
        if any(word in _HYPOTHETICAL and before[at + 1:at + 2] != _SEEN
               for at, word in enumerate(before)):
            return True
        if before and before[-1] == "from" and _KEEPING.intersection(before):
            return True
        return "if" in before and any(word in _QUESTION_WORDS for word in self.words[:start])

    def clause(self, position: int) -> Span:
        """The words around `position` up to the clause breaks on either side."""
        start = position
        while start > 0 and self.words[start - 1] not in _CLAUSE_BREAKS:
            start -= 1
        end = position + 1
        while end < len(self.words) and self.words[end] not in _CLAUSE_BREAKS:
            end += 1
        return start, end

    def without(self, spans: Iterable[Span]) -> Heard:
        """The same utterance with the words of `spans` left out."""
        dropped = {position for start, end in spans for position in range(start, end)}
        return Heard(" ".join(word for position, word in enumerate(self.words)
                              if position not in dropped))

    @property
    def text(self) -> str:
        return " ".join(self.words)

    def _correcting(self, at: int, term: int) -> bool:
        """The "no" at `at` said twice or before "i", "sorry", "actually", "wait", not right
        before the term ("no no smoke" denies), unless the term says it again ("no no heat")."""
        if at + 1 == term:
            return self.words[term] == "no"
        return self.words[at + 1] in _ANSWERED or self.words[at - 1:at] == ["no"]

    def _compared_with_now(self, start: int) -> bool:
        """"... like this", "... this bad" after `start` in its clause."""
        after = self.words[start:self.clause(start)[1]]
        return any(pair in _COMPARISONS for pair in zip(after, after[1:], strict=False))

    def _clause_before(self, start: int, window: int) -> list[str]:
        before = self.words[max(0, start - window):start]
        for index in range(len(before) - 1, -1, -1):
            if before[index] in _CLAUSE_BREAKS:
                return before[index + 1:]
        return before


def near(first: list[Span], second: list[Span], window: int) -> bool:
    """Some span of `first` within `window` words of some span of `second`."""
    return any(a_start - window < b_end and b_start - window < a_end
               for a_start, a_end in first for b_start, b_end in second)
