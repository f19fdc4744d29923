"""Who a question is about: the company, or some other business or thing it does not know.

"what time does the bank open" shares its frame with the company's hours question ("what
time do you open"), and the sentence model scores the two close (cosine 0.48 against 0.64):
only the subject differs. A question whose grammatical subject is a named thing ("does the
grocery store close", "is the pharmacy open") is about that thing; when none of its words
is in the company's own vocabulary (its Q&A, its trades' catalog, its services and
description: `CompanyVocabulary`), no knowledge entry of the company answers it. A subject
the company knows ("is the service call the same price", "does the warranty cover parts")
is a question about the company.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from runtime.conversation.knowledge import content_words, knows_word
from runtime.conversation.text import normalize

# A question opening (an optional question word or two, then an auxiliary verb) followed
# by a determiner and up to three words: the subject and, after it, most likely its verb
# ("[what time] does the bank open", "is the grocery store close[d]").
_NAMED_SUBJECT = re.compile(
    r"^(?:(?:what|when|how|where|which|why|who)(?: \w+)? )?"
    r"(?:does|do|is|are|will|did|was|were|would) (?:the|a|an|that|this) (\w+(?: \w+){0,2})")


class CompanyVocabulary:
    """Every content word of what the company knows about itself, built once per call."""

    def __init__(self, texts: Iterable[str]) -> None:
        words: set[str] = set()
        for text in texts:
            words.update(content_words(text))
        self._words = tuple(sorted(words))

    def knows(self, word: str) -> bool:
        return knows_word(word, self._words)


def about_something_else(utterance: str, vocabulary: CompanyVocabulary) -> bool:
    """The question's subject is a named thing none of whose words the company knows."""
    match = _NAMED_SUBJECT.search(normalize(utterance))
    if match is None:
        return False
    said = match.group(1).split()
    subject = content_words(" ".join(said[:-1] if len(said) > 1 else said))  # verb off
    return bool(subject) and not any(vocabulary.knows(word) for word in subject)
