"""Caller scripts: every trade has several realistic calls, timed like people talk."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from loadtest.scripts import (
    PACED_TURN_RANGE_S,
    SCRIPTS,
    THINK_RANGE_S,
    WORDS_PER_SECOND,
    sample_call,
    speech_seconds,
)
from tenancy.models.company import TradeCategory

EMERGENCY_WORDS = ("smell gas", "burst", "sparks")
PERSON_WORDS = ("real person", "speak to someone", "speak with a person")
GOODBYE_WORDS = ("bye", "thank")


@pytest.mark.parametrize("trade", list(TradeCategory))
def test_each_trade_has_several_calls_from_question_to_goodbye(trade: TradeCategory) -> None:
    scripts = SCRIPTS[trade]
    lines = [line.lower() for script in scripts for line in script.utterances]

    assert len(scripts) >= 4 and all(script.trade is trade for script in scripts)
    assert all(any(w in s.utterances[-1].lower() for w in GOODBYE_WORDS) for s in scripts)
    assert any("cost" in line or "price" in line or "charge" in line for line in lines)
    assert any(any(word in line for word in EMERGENCY_WORDS) for line in lines)
    assert any(any(word in line for word in PERSON_WORDS) for line in lines)


def test_the_same_seed_samples_the_same_calls() -> None:
    first = [sample_call("HVAC", random.Random(42)) for _ in range(3)]
    again = [sample_call("HVAC", random.Random(42)) for _ in range(3)]

    assert first == again
    assert sample_call("HVAC", random.Random(1)) != sample_call("HVAC", random.Random(2))


def test_emergencies_are_occasional_and_every_script_gets_its_turn() -> None:
    rng = random.Random(3)
    picked = Counter(sample_call("Plumbing", rng).script.name for _ in range(2000))

    assert set(picked) == {script.name for script in SCRIPTS[TradeCategory.PLUMBING]}
    assert 0 < picked["burst-pipe"] / 2000 < 0.15


def test_turns_are_timed_like_a_person_thinking_then_speaking() -> None:
    rng = random.Random(5)
    turns = [turn for _ in range(300) for turn in sample_call("Electrical", rng).turns]

    for turn in turns:
        words = len(turn.text.split())
        assert words / WORDS_PER_SECOND * 0.85 <= turn.speech_s <= words / WORDS_PER_SECOND * 1.15
        assert THINK_RANGE_S[0] <= turn.think_s <= THINK_RANGE_S[1]
        low, high = PACED_TURN_RANGE_S
        assert turn.paced_gap_s == min(max(turn.think_s + turn.speech_s, low), high)
    thinks = sorted(turn.think_s for turn in turns)
    assert 0.7 < thinks[len(thinks) // 2] < 1.4  # a second or so, typically
    assert speech_seconds("one two three four five") == 2.0
