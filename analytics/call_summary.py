"""A call's short summary, taken from its own words: who called, what about, what was done.

Pure and deterministic (the same transcript and facts always give the same text), so it
is the summary every call gets offline, the fallback when a drafted one fails, and what
imported calls and staff notifications carry. The topic is the caller's first
substantive utterance quoted (trimmed at a word), never a paraphrase: a summary that
only quotes cannot misstate what the caller said.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

SUMMARY_LIMIT = 400  # characters; the calls table and a text message both hold it
TOPIC_LIMIT = 120
MESSAGE_LIMIT = 160
_WORD = re.compile(r"[a-z0-9']+")
# Openers and acknowledgements that say nothing about why someone called.
_FILLER = frozenset({
    "hello", "hi", "hey", "yes", "yeah", "yep", "no", "nope", "ok", "okay", "sure", "thanks",
    "thank", "you", "bye", "goodbye", "um", "uh", "hmm", "there", "is", "anyone", "this",
    "good", "morning", "afternoon", "evening", "please", "right", "great", "cool", "alright",
})


# "Can I talk to a real person?" is how a call went, not what it was about.
_ASKS_FOR_PERSON = re.compile(
    r"\b(talk|speak|put me through|connect me)\b.*\b(person|human|someone|somebody|"
    r"representative|operator|manager|technician|agent|owner|staff)\b", re.IGNORECASE)


@dataclass(frozen=True)
class CallFacts:
    """What the call log knows at the end of a call (strings empty when unknown)."""

    outcome: str  # one of analytics.events.OUTCOMES
    caller_name: str = ""
    caller_number: str = ""
    message: str = ""
    urgent: bool = False
    booked_service: str = ""
    booked_for: str = ""  # as the caller would read it, e.g. "Tue Mar 4, 9:00 AM"
    transfer_reason: str = ""
    emergency: bool = False


def clip(text: str, limit: int) -> str:
    """`text` on one line, cut at the last whole word that fits, with an ellipsis."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:.-")
    return f"{cut}…"


def caller_of(facts: CallFacts) -> str:
    name, number = facts.caller_name.strip(), facts.caller_number.strip()
    if name and number:
        return f"{name} ({number})"
    return name or number or "An unknown caller"


def topic_of(caller_lines: Sequence[str]) -> str:
    """The first thing the caller said that is more than a greeting, a yes/no or a request
    for a person."""
    for line in caller_lines:
        words = _WORD.findall(line.lower())
        if any(word not in _FILLER for word in words) and not _ASKS_FOR_PERSON.search(line):
            return " ".join(line.split())
    return ""


def outcome_sentence(facts: CallFacts) -> str:
    """What was done on the call, in one sentence."""
    outcome = facts.outcome
    if outcome == "booked":
        what = facts.booked_service or "a visit"
        when = f" for {facts.booked_for}" if facts.booked_for else ""
        return f"Booked {what}{when}."
    if outcome == "message_taken":
        kind = "an URGENT message" if facts.urgent else "a message"
        text = clip(facts.message, MESSAGE_LIMIT)
        return f"Left {kind}: \u201c{text}\u201d." if text else f"Left {kind}."
    if outcome == "transferred":
        who = "on-call staff as an emergency" if facts.emergency else "staff"
        why = f" ({clip(facts.transfer_reason, 60)})" if facts.transfer_reason else ""
        return f"Transferred to {who}{why}."
    if outcome == "answered_knowledge":
        return "Answered from the company's knowledge base."
    if outcome == "answered_llm":
        return "Answered by the AI agent."
    if facts.transfer_reason:
        return "A transfer was tried; the call ended before anyone answered."
    return "Hung up before anything was resolved."


def extractive_summary(caller_lines: Sequence[str], facts: CallFacts) -> str:
    """"<who> called about “<topic>”. <what was done>" from the caller's own words."""
    topic = topic_of(caller_lines)
    about = f" about \u201c{clip(topic, TOPIC_LIMIT)}\u201d" if topic else ""
    if topic and facts.outcome == "message_taken" and topic in " ".join(facts.message.split()):
        about = ""  # the message quotes it already
    return clip(f"{caller_of(facts)} called{about}. {outcome_sentence(facts)}", SUMMARY_LIMIT)


NOT_TAKEN_BECAUSE = {
    "rate_limited": "too many calls were coming in at once",
    "no_idle_actor": "all lines were busy",
    "at_capacity": "all lines were busy",
    "company_at_capacity": "the company's line limit was reached",
    "company_over_share": "the company's line limit was reached",
    "pool_unavailable": "the phone agent was unavailable",
    "cannot_connect": "the phone agent could not be reached",
}  # keyed by analytics.events.NOT_TAKEN_REASONS


def not_taken_summary(caller_number: str, reason: str, forwarded_to: str | None) -> str:
    """"<who> called. Not taken: <why>; <what the caller got>." for a call no agent took."""
    who = caller_of(CallFacts(outcome="not_taken", caller_number=caller_number))
    then = (f"forwarded to the office ({forwarded_to})" if forwarded_to
            else "the caller heard an apology")
    return clip(f"{who} called. Not taken: {NOT_TAKEN_BECAUSE[reason]}; {then}.", SUMMARY_LIMIT)
