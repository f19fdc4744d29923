"""Who a question is about: the company, or some other business or thing it does not know.

"what time does the bank open" shares its frame with the company's hours question ("what
time do you open"), and the sentence model scores the two close (cosine 0.48 against 0.64):
only the subject differs. A question whose grammatical subject is a named thing ("does the
grocery store close", "is the pharmacy open") is about that thing; when the word that
starts it is not in the company's own vocabulary (its Q&A, its trades' catalog, its
services and description: `CompanyVocabulary`) and the subject names nothing any trade
company deals in (office, price, parts, unit...), no knowledge entry of the company answers
it. A subject the company knows ("is the service call the same price", "does the warranty
cover parts") is a question about the company.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rapidfuzz import fuzz
from rapidfuzz.process import extractOne

from runtime.conversation.knowledge import KnowledgeMatch, content_words
from runtime.conversation.meaning import EXPLAINED
from runtime.conversation.text import MIN_FUZZY_LETTERS, WORD_MATCH, normalize, sound_key

# A question opening (an optional question word or two, then an auxiliary verb) followed
# by a determiner and the two words that start its subject ("[what time] does the bank
# open", "is the pharmacy open on sundays", "when does the grocery store close").
_NAMED_SUBJECT = re.compile(
    r"^(?:(?:what|when|how|where|which|why|who)(?: \w+)? )?"
    r"(?:does|do|is|are|will|did|was|were|would) (?:the|a|an|that|this) (\w+(?: \w+)?)"
    # ...or asked indirectly: "can you tell me when the library opens", "do you know what
    # time the post office closes", "any idea if the bank is open"
    r"|\b(?:tell me|know|idea|wondering|wonder|sure) (?:when|what time|if|whether|how late)"
    r"(?: \w+)? (?:the|a|an|that|this) (\w+(?: \w+)?)")

# Things any trade company's callers ask about, whatever the company's own entries say:
# a subject naming one of these is the company's ("is the office open saturday", "is the
# upstairs unit covered", "are the parts included"), even a word before it is unknown.
_TRADE_BUSINESS_NOUNS = """office shop company business owner price cost rate fee charge
    labor labour part estimate quote crew team staff technician tech plumber electrician
    installer worker warranty guarantee permit inspection payment invoice bill appointment
    visit service call repair install installation unit system equipment job work plan
    membership discount deposit filter thermostat outlet panel pipe drain heater furnace ac
    water line breaker wiring duct vent"""
_SERVICE_NOUNS = frozenset(content_words(_TRADE_BUSINESS_NOUNS))


class CompanyVocabulary:
    """Every content word of what the company knows about itself, built once per call.

    `knows` is the lexical matcher's word equality (`knowledge.knows_word`: exact, fuzzy
    spelling, or the same sound), over a few hundred words in C rather than pair by pair.
    """

    def __init__(self, texts: Iterable[str], words: Iterable[str] = ()) -> None:
        """`texts` to take the words of, and `words` already taken (a trade's, cached)."""
        words = set(words)
        for text in texts:
            words.update(content_words(text))
        self._exact = frozenset(words)
        self._spelled = tuple(sorted(word for word in words if len(word) >= MIN_FUZZY_LETTERS))
        self._sounds = frozenset(filter(None, (sound_key(word) for word in self._spelled)))

    def knows(self, word: str) -> bool:
        if word in self._exact:
            return True
        if len(word) < MIN_FUZZY_LETTERS:
            return False
        key = sound_key(word)
        return (key is not None and key in self._sounds) or extractOne(
            word, self._spelled, scorer=fuzz.ratio, score_cutoff=WORD_MATCH) is not None

    def foreign_share(self, words: tuple[str, ...]) -> float:
        """The share of `words` the company never mentions."""
        return sum(not self.knows(word) for word in words) / len(words) if words else 0.0


def about_something_else(utterance: str, vocabulary: CompanyVocabulary) -> bool:
    """The question's subject starts with a word the company does not know, and names
    nothing a trade company deals in."""
    match = _NAMED_SUBJECT.search(normalize(utterance))
    if match is None:
        return False
    subject = content_words(match.group(1) or match.group(2))
    return bool(subject) and not vocabulary.knows(subject[0]) and not any(
        word in _SERVICE_NOUNS for word in subject)


def subject_is_ours(match: KnowledgeMatch | None) -> KnowledgeMatch | None:
    """The match if the unknown subject was a misheard word of the entry's phrase ("is the
    duck cleaning worth it"), or the entry's words explain every word said; else None."""
    if match is None:
        return None
    return match if (match.misheard and match.anchored) or match.explained >= EXPLAINED \
        else None
