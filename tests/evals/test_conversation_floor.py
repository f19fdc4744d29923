"""Whole booking calls must keep working (`make eval` prints their table and transcripts).

Separate from the single-turn floors (`test_eval_floor.py`): these conversations are not
part of its "overall" rate. The floor sits at the measured rate (see tests/evals/README.md);
raise it as the flow improves, never lower it to make a change pass.
"""

from __future__ import annotations

import pytest

from runtime.providers.minilm_onnx import OnnxMiniLmEmbedder
from tests.evals.conversations import (
    ConversationResult,
    load_conversations,
    render_conversations,
    run_conversations,
)

BOOKING_CALLS_FLOOR = 24 / 24  # measured 24 of 24
# what the issue asks the suite to cover, by the end checks and the words of the names
MUST_COVER = ("booked", "moved", "cancelled", "message", "transferred")


@pytest.fixture(scope="module")
async def results() -> list[ConversationResult]:
    return await run_conversations(OnnxMiniLmEmbedder())


def test_the_booking_calls_cover_what_callers_do() -> None:
    conversations = [c for c in load_conversations() if c.category == "booking_calls"]
    assert len(conversations) >= 20
    covered = {check for c in conversations for check in c.end}
    assert set(MUST_COVER) <= covered
    assert any(c.after_hours and "booked" in c.end for c in conversations)
    assert any(c.existing for c in conversations)  # returning callers
    assert {c.company for c in conversations} == {"arctic", "bluewater", "allpro"}


def test_booking_calls_stay_above_the_floor(results: list[ConversationResult]) -> None:
    mine = [r for r in results if r.conversation.category == "booking_calls"]
    assert sum(r.passed for r in mine) / len(mine) >= BOOKING_CALLS_FLOOR, \
        render_conversations(results)


def test_an_emergency_pre_empts_every_booking(results: list[ConversationResult]) -> None:
    failures = [r for r in results if "transferred" in r.conversation.end and not r.passed]
    assert not failures, render_conversations(failures)
