"""Where a run-on utterance starts a new sentence about now.

Speech-to-text gives no full stops, so "the plumber fixed the drain last week the pipe in
the basement just burst" is one clause to `Heard.clause`, and a remark about the past, a
settled trouble or a question ("how much does it usually cost the sewer is backing up")
would take the report after it along when it is left out. A new sentence about now starts
at a subject ("the", "my", "our", "i", "we", "it", "today"...) whose next few words say
now: a progressive ("is backing up", "are sparking"), "just", "today", or a sense verb
("i smell", "the kitchen smells"), before any word of the past ("was", "had", "got"), so
"the basement flooded last year the water was a foot deep" stays one story.
"""

from __future__ import annotations

from runtime.conversation.hazard_words import Heard

REPORT_REACH = 6  # words from the subject to the word saying now ("the pipe in the
# basement just burst")

_SUBJECTS = frozenset({"the", "my", "our", "your", "his", "her", "their", "i", "im", "we",
                       "it", "another", "today", "tonight", "this"})
_NOW = frozenset({"just", "now", "today", "tonight", "smell", "smells", "stinks", "hear",
                  "see"})
_PROGRESSIVE = frozenset({"is", "are", "am", "im", "its", "theyre", "keeps", "keep"})
_PAST = frozenset({"was", "were", "had", "got", "did", "used", "went", "came", "been"})


def next_sentence(heard: Heard, start: int, end: int) -> int:
    """The first position in [start, end) where a sentence about now begins, else `end`."""
    for at in range(start, end):
        if heard.words[at] in _SUBJECTS and _says_now(heard.words[at:min(end, at + REPORT_REACH)]):
            return at
    return end


def _says_now(words: list[str]) -> bool:
    for index, word in enumerate(words):
        if word in _PAST:
            return False
        if word in _NOW or (word in _PROGRESSIVE and words[index + 1:index + 2] != []
                            and words[index + 1].endswith("ing")):
            return True
    return False
