"""What the caller asks the company about, and whether an entry is about that same thing.

Questions that share a frame with an entry yet name another thing score close by meaning
("do you clean chimneys" and "Do you do duct cleaning?", "do you install attic fans" and
"Do you install ceiling fans?"). The thing asked about is the noun phrase after the asking
verb: "do you [verb] X", "can i get X", "what does it cost to [verb] X", "how much for X".
Its last word is its head ("ice machines", "car loan"), the words before it modify it
("attic fans"). An entry answers only if it covers that phrase:

- its head is one of the entry's words (fuzzy spelling and sound count, as in the matcher),
  or a word the company itself uses with some other word of the phrase the entry's
  ("trane systems" for "Do you service Trane units?");
- and when the entry's own question names the same head with another word before it
  ("ceiling fans"), the caller's word before it is not a word the company never uses
  ("attic fans").

Coordinated things ("chimneys and fireplaces", "ice machines or walk in coolers") are
covered when any of them is. Generic heads ("financing options", "any kind of") stand for
the word before them; pronouns ("something", "it") name nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from runtime.conversation.knowledge import STOPWORDS, KnowledgeMatch, content_words, explains
from runtime.conversation.snapshot import KnowledgeEntry
from runtime.conversation.subject import CompanyVocabulary, about_something_else, subject_is_ours
from runtime.conversation.text import MIN_FUZZY_LETTERS, normalize

_ASKING = re.compile(
    r"\b(?:(?:do|can|could|would|will) (?:you|yall|ya)|(?:are|were) (?:you|yall))"
    r"(?: guys| all)?(?: also| ever| even| still)?(?: be)?(?: able to)?"
    r" (?P<verb>\w+)(?: (?:in|on|up|out))? (?P<rest>.+)"
    r"|\b(?:can|could|may) (?:i|we) (?:get|have|buy) (?P<got>.+)"
    r"|\b(?:cost|costs|price|charge|much) to (?P<costverb>\w+)(?: (?:in|on|up|out))? "
    r"(?P<costed>.+)"
    r"|\b(?:how much for|cost of|price of) (?P<priced>.+)")
_MISHEARD_RIVAL = 70.0  # rapidfuzz ratio at which the caller's modifier may be the entry's
_DETERMINER_TEXT = "a an the my our your his her their some any all those these this that"
_DETERMINERS = frozenset(_DETERMINER_TEXT.split())
_CONJUNCTIONS = frozenset({"or", "and"})
# Words that end a noun phrase besides the stop words ("a car loan through you").
_PREPOSITION_TEXT = """through near around across behind inside outside during without
    within between per via like"""
_PREPOSITIONS = frozenset(_PREPOSITION_TEXT.split())
# Nouns that stand for the word before them ("financing options", "rheem equipment", "a
# membership program").
_GENERIC_HEADS = frozenset(content_words(
    "option options kind kinds type types sort sorts brand brands model models stuff thing "
    "things equipment unit units system systems product products program programs"))
# Words that name no thing to answer about: pronouns, people, amounts and times ("open in
# the morning", "close on saturday", "charge more on the weekend").
_NO_THING_TEXT = """it them that this those something anything everything one ones me us
    him her someone somebody anyone anybody more less extra same time times day days today
    tonight tomorrow morning mornings afternoon evening night nights week weekend weekends
    weekday weekdays monday mondays tuesday tuesdays wednesday wednesdays thursday thursdays
    friday fridays saturday saturdays sunday sundays holiday holidays"""
_NO_THING = frozenset(_NO_THING_TEXT.split())


_NOT_NAMING = STOPWORDS | _PREPOSITIONS | _NO_THING


@dataclass(frozen=True)
class AskedThing:
    """A noun phrase the caller asks about, as content words (stemmed): the head last;
    `after`: the word said right after it (a name split by the recognizer: "eco be")."""

    words: tuple[str, ...]
    after: str = ""

    @property
    def head(self) -> str:
        return self.words[-1]

    @property
    def modifier(self) -> str | None:
        return self.words[-2] if len(self.words) > 1 else None


def asked_things(utterance: str) -> tuple[AskedThing, ...]:
    """The things asked about by the first asking frame of the utterance, if any."""
    match = _ASKING.search(normalize(utterance))
    if match is None:
        return ()
    rest = next(text for text in match.group("rest", "got", "costed", "priced") if text)
    return _noun_phrases(rest.split())


def _noun_phrases(tokens: list[str]) -> tuple[AskedThing, ...]:
    """Runs of content words joined by "or"/"and", from the start of `tokens`."""
    things: list[AskedThing] = []
    at = 0
    while at < len(tokens):
        while at < len(tokens) and tokens[at] in _DETERMINERS:
            at += 1
        run: list[str] = []
        while at < len(tokens) and tokens[at] not in _NOT_NAMING:
            run.append(tokens[at])
            at += 1
        words = content_words(" ".join(run))
        while words and words[-1] in _GENERIC_HEADS:
            words = words[:-1]
        if words:
            things.append(AskedThing(words, tokens[at] if at < len(tokens) else ""))
        if at >= len(tokens) or tokens[at] not in _CONJUNCTIONS:
            break
        at += 1
    return tuple(things)


def on_topic(utterance: str, match: KnowledgeMatch | None,
             vocabulary: CompanyVocabulary) -> KnowledgeMatch | None:
    """The match if its entry is about what the caller asks: a question about some other
    business ("does the bank open", `subject.py`) or another thing ("do you clean
    chimneys") gets no answer from it."""
    if match is not None and about_something_else(utterance, vocabulary):
        match = subject_is_ours(match)
    return covering(utterance, match, vocabulary)


def covering(utterance: str, match: KnowledgeMatch | None,
             vocabulary: CompanyVocabulary) -> KnowledgeMatch | None:
    """The match if its entry is about the thing the caller asks about, else None."""
    if match is None or (match.misheard and match.anchored) or covers_asked(
            utterance, match.entry, vocabulary):  # a misheard name is judged by its words
        return match
    return None


def covers_asked(utterance: str, entry: KnowledgeEntry, vocabulary: CompanyVocabulary) -> bool:
    """The entry is about what the caller asks about (or the caller names no such thing)."""
    things = asked_things(utterance)
    if not things:
        return True
    words = _entry_words(entry)
    own = asked_things(entry.question)
    mentioned = content_words(entry.answer)
    return any(_covers(thing, words, own, mentioned, vocabulary) for thing in things)


def _explained(said: tuple[str, ...], words: tuple[str, ...]) -> list[bool]:
    """Per word said: the entry's word by itself, or joined with a neighbour (recognizers
    split names and compounds: "honey well", "thermo stat", "eco be", "this count")."""
    alone = [explains(word, words) for word in said]
    joined = [bool(first and second) and explains(first + second, words)
              for first, second in zip(said, said[1:], strict=False)]
    return [alone[at] or (at > 0 and joined[at - 1]) or (at < len(joined) and joined[at])
            for at in range(len(said))]


def _entry_words(entry: KnowledgeEntry) -> tuple[str, ...]:
    said = content_words(entry.question) + tuple(
        word for keyword in entry.keywords for word in content_words(keyword))
    return tuple(dict.fromkeys(said))


def _covers(thing: AskedThing, words: tuple[str, ...], own: tuple[AskedThing, ...],
            mentioned: tuple[str, ...], vocabulary: CompanyVocabulary) -> bool:
    """The head is the entry's (its question, keywords or answer: "honey well" for an
    answer naming Honeywell), or the company's with another word of the phrase the entry's;
    a modifier the entry does not say must not stand where the entry's question has its own
    ("attic fans" against "ceiling fans")."""
    head, modifier = thing.head, thing.modifier
    explained = _explained((*thing.words, thing.after), words + mentioned)
    if not explained[len(thing.words) - 1]:
        return vocabulary.knows(head) and any(explained)
    if modifier is None or len(modifier) < MIN_FUZZY_LETTERS or explained[-3]:
        return True
    rivals = [other.modifier for other in own
              if other.modifier and explains(head, (other.head,))]
    said = modifier if len(thing.words) < 3 else thing.words[-3] + modifier
    # a modifier the caller's words could be a mishearing of is no rival ("tank list")
    return not rivals or any(fuzz.ratio(said, word) >= _MISHEARD_RIVAL for word in words)
