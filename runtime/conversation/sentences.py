"""Sentence splitting for streamed LLM text, so speech can start after the first sentence.

`SentenceSplitter.feed()` takes text deltas as they arrive and returns the sentences they
complete; `flush()` returns what is left at the end of the stream. A sentence ends at
`.`, `!`, `?` or a line break, unless the dot belongs to an abbreviation ("Dr.", "a.m.")
or sits between digits ("3.5"). A run-on longer than `max_chars` is cut at a comma so
speech synthesis never waits for a whole paragraph.
"""

from __future__ import annotations

import re

_ABBREVIATIONS = frozenset(
    {"mr", "mrs", "ms", "dr", "st", "jr", "sr", "vs", "etc", "inc", "ltd", "co", "ave",
     "blvd", "rd", "approx", "no", "e.g", "i.e", "a.m", "p.m", "u.s"}
)
_TERMINATORS = ".!?\n"
_CLOSERS = "\"')]”’"
_LAST_WORD = re.compile(r"([A-Za-z.]+)\.$")


class SentenceSplitter:
    def __init__(self, *, max_chars: int = 240) -> None:
        self._buffer = ""
        self._max_chars = max_chars

    def feed(self, delta: str) -> list[str]:
        self._buffer += delta
        sentences: list[str] = []
        while True:
            cut = self._boundary()
            if cut is None:
                cut = self._overflow_cut()
            if cut is None:
                return sentences
            sentence, self._buffer = self._buffer[:cut].strip(), self._buffer[cut:]
            if sentence:
                sentences.append(sentence)

    def flush(self) -> list[str]:
        rest, self._buffer = self._buffer.strip(), ""
        return [rest] if rest else []

    def _boundary(self) -> int | None:
        text = self._buffer
        for index, char in enumerate(text):
            if char not in _TERMINATORS:
                continue
            end = index + 1
            while end < len(text) and text[end] in _CLOSERS:
                end += 1
            at_end = end == len(text)
            if not at_end and not text[end].isspace():
                continue  # "3.5", "a.m" mid-token, "?!" handled by the next terminator
            if char == "." and self._dot_is_not_a_stop(text[:index + 1], at_end):
                continue
            return end
        return None

    @staticmethod
    def _dot_is_not_a_stop(upto_dot: str, at_end: bool) -> bool:
        if at_end and len(upto_dot) >= 2 and upto_dot[-2].isdigit():
            return True  # "costs 3." may continue as "3.5"
        match = _LAST_WORD.search(upto_dot)
        return bool(match and match.group(1).lower() in _ABBREVIATIONS)

    def _overflow_cut(self) -> int | None:
        if len(self._buffer) <= self._max_chars:
            return None
        window = self._buffer[: self._max_chars]
        comma = max(window.rfind(", "), window.rfind("; "))
        if comma > 0:
            return comma + 1
        space = window.rfind(" ")
        return space if space > 0 else self._max_chars


def split_sentences(text: str, *, max_chars: int = 240) -> list[str]:
    """All sentences of a complete text (the non-streaming use of `SentenceSplitter`)."""
    splitter = SentenceSplitter(max_chars=max_chars)
    return splitter.feed(text) + splitter.flush()
