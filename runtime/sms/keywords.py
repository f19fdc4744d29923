"""The carrier opt-out keywords Twilio honours on long codes and toll-free numbers.

A keyword counts only as the whole text (any case; surrounding spaces and a trailing
full stop or exclamation mark ignored), as Twilio's default handling has it. We honour
more than Twilio might ("Stop." too): erring towards not texting someone is the safe way.
"""

from __future__ import annotations

from enum import StrEnum


class Keyword(StrEnum):
    STOP = "stop"
    START = "start"
    HELP = "help"


KEYWORDS: dict[str, Keyword] = {
    **dict.fromkeys(("stop", "stopall", "unsubscribe", "cancel", "end", "quit"), Keyword.STOP),
    **dict.fromkeys(("start", "yes", "unstop"), Keyword.START),
    **dict.fromkeys(("help", "info"), Keyword.HELP),
}


def keyword_of(body: str) -> Keyword | None:
    return KEYWORDS.get(body.strip().rstrip(".!").strip().casefold())
