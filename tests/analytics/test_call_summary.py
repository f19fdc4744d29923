"""The extractive call summary on the original platform's real transcripts and on the
outcomes a live call reports: who called, what about, what was done."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analytics.call_summary import SUMMARY_LIMIT, CallFacts, extractive_summary, topic_of
from analytics.legacy_calls import exchanges

EXPORT = Path(__file__).parents[1] / "fixtures" / "mongo_export" / "conversationlogs.json"


def _logs() -> dict[str, dict]:
    lines = EXPORT.read_text().splitlines()
    return {log["callSid"][:3]: log for log in map(json.loads, lines)}


def _summary_of(log: dict, outcome: str) -> str:
    said = [caller for caller, _ in exchanges(log["transcript"], log["aiResponses"])]
    return extractive_summary(said, CallFacts(outcome=outcome,
                                              caller_number=log.get("callerNumber", "")))


def test_real_transcripts_say_who_called_what_about_and_what_was_done() -> None:
    logs = _logs()
    assert _summary_of(logs["CA1"], "booked") == (
        "+12395550199 called about \u201cDo you service heat pumps?\u201d. Booked a visit.")
    assert _summary_of(logs["CA2"], "transferred") == (
        "+12395550123 called about \u201cMy AC is blowing warm air and it's 95 degrees in"
        " here!\u201d. Transferred to staff.")
    # No speaker labels: the whole transcript is what the caller said.
    assert _summary_of(logs["CA3"], "abandoned") == (
        "+12395550188 called about \u201cpress one for a free cruise\u201d."
        " Hung up before anything was resolved.")
    # "hello?" says nothing about why they called: no topic is invented.
    assert _summary_of(logs["CA4"], "abandoned") == (
        "An unknown caller called. Hung up before anything was resolved.")


def test_a_message_call_names_the_caller_and_quotes_the_message() -> None:
    said = ["hi", "I'd like someone to call me back about a quote for a new furnace"]
    facts = CallFacts(outcome="message_taken", caller_name="Dana Wu",
                      caller_number="+12395550142", urgent=True,
                      message="I'd like someone to call me back about a quote for a new furnace")
    assert extractive_summary(said, facts) == (
        "Dana Wu (+12395550142) called. Left an URGENT message: \u201cI'd like someone to call"
        " me back about a quote for a new furnace\u201d.")


@pytest.mark.parametrize(("facts", "ending"), [
    (CallFacts(outcome="booked", booked_service="AC repair", booked_for="Tue Mar 3, 9:00 AM"),
     "Booked AC repair for Tue Mar 3, 9:00 AM."),
    (CallFacts(outcome="transferred", emergency=True, transfer_reason="gas smell"),
     "Transferred to on-call staff as an emergency (gas smell)."),
    (CallFacts(outcome="answered_knowledge"), "Answered from the company's knowledge base."),
    (CallFacts(outcome="answered_llm"), "Answered by the AI agent."),
    (CallFacts(outcome="abandoned", transfer_reason="caller asked for a person"),
     "A transfer was tried; the call ended before anyone answered."),
])
def test_each_outcome_says_what_was_done(facts: CallFacts, ending: str) -> None:
    summary = extractive_summary(["my furnace is making a loud banging noise"], facts)
    assert summary.startswith("An unknown caller called about \u201cmy furnace is making")
    assert summary.endswith(ending)


def test_long_calls_stay_short_and_cut_at_a_word() -> None:
    rambling = "so basically the thing is " + "the water heater keeps leaking " * 30
    facts = CallFacts(outcome="message_taken", message="call me " * 200)
    summary = extractive_summary(["hello", rambling], facts)
    assert len(summary) <= SUMMARY_LIMIT
    assert "\u2026" in summary and "  " not in summary
    assert summary == extractive_summary(["hello", rambling], facts)  # deterministic
    assert topic_of(["yes", "ok thanks", "hello?"]) == ""
    assert topic_of(["Can I talk to a real person please?", "my AC is broken"]) == (
        "my AC is broken")
