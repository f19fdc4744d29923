"""Splitting streamed model text into sentences speech can start on."""

from __future__ import annotations

from runtime.conversation import SentenceSplitter, split_sentences


def test_sentences_complete_as_deltas_arrive() -> None:
    splitter = SentenceSplitter()
    assert splitter.feed("Sure") == []
    assert splitter.feed(" thing.") == ["Sure thing."]
    assert splitter.feed(" It costs 3.") == []  # may still become 3.5
    assert splitter.feed("5 dollars! Anything") == ["It costs 3.5 dollars!"]
    assert splitter.flush() == ["Anything"]
    assert splitter.flush() == []


def test_abbreviations_and_times_do_not_end_sentences() -> None:
    text = "Dr. Smith opens at 8 a.m. Monday. Is that ok? \"Yes.\" Great"
    assert split_sentences(text) == [
        "Dr. Smith opens at 8 a.m. Monday.", "Is that ok?", "\"Yes.\"", "Great",
    ]


def test_run_on_text_is_cut_at_a_comma() -> None:
    long = "we clean ducts, " * 30
    pieces = split_sentences(long, max_chars=80)
    assert len(pieces) > 1 and all(len(piece) <= 80 for piece in pieces)
    assert " ".join(pieces) == long.strip()
