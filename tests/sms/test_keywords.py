"""The opt-out keywords: the whole text, any case, with Twilio's standard synonyms."""

from __future__ import annotations

import pytest

from runtime.sms.keywords import Keyword, keyword_of


@pytest.mark.parametrize("body, keyword", [
    ("STOP", Keyword.STOP), ("stop", Keyword.STOP), (" Stop. ", Keyword.STOP),
    ("STOPALL", Keyword.STOP), ("unsubscribe", Keyword.STOP), ("Cancel", Keyword.STOP),
    ("END", Keyword.STOP), ("quit!", Keyword.STOP),
    ("START", Keyword.START), ("yes", Keyword.START), ("UNSTOP", Keyword.START),
    ("HELP", Keyword.HELP), ("info", Keyword.HELP),
])
def test_keywords_and_their_synonyms(body: str, keyword: Keyword) -> None:
    assert keyword_of(body) is keyword


@pytest.mark.parametrize("body", ["please stop calling me about the quote", "help me",
                                  "can you start the repair tomorrow", "", "stopp"])
def test_a_keyword_inside_a_sentence_is_just_words(body: str) -> None:
    assert keyword_of(body) is None
