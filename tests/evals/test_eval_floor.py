"""The scenario evals must not fall below the measured quality (`make eval` for the table).

Floors sit just under the rates measured when they were last raised (see
tests/evals/README.md); raise them as quality rises, never lower them to make a change pass.
Emergencies and safety hazards have no slack: every one must be recognised.
"""

from __future__ import annotations

import pytest

from runtime.providers.minilm_onnx import OnnxMiniLmEmbedder
from tests.evals.run_evals import rates, render, unrelated_answers
from tests.evals.scenarios import Result, load_scenarios, run_suite

OVERALL_FLOOR = 0.97  # measured 428/436 = 98.2 % after every round of 2026-11-29
MAX_UNRELATED_ANSWERS = 0  # issue 9's target; measured 0 since the asked-thing rule
MUST_ALL_PASS = ("emergencies", "safety")


@pytest.fixture(scope="module")
async def results() -> list[Result]:
    return await run_suite(OnnxMiniLmEmbedder())


def test_the_suite_is_big_enough_and_covers_every_category() -> None:
    scenarios = load_scenarios()
    assert len(scenarios) >= 250
    assert {"faq", "asr", "emergencies", "safety", "person", "booking", "goodbyes",
            "out_of_scope", "no_answer"} <= {scenario.category for scenario in scenarios}
    assert {scenario.company for scenario in scenarios} == {"arctic", "bluewater", "allpro"}


def test_overall_pass_rate_stays_above_the_floor(results: list[Result]) -> None:
    passed, total = rates(results)["overall"]
    assert passed / total >= OVERALL_FLOOR, render(results)


@pytest.mark.parametrize("category", MUST_ALL_PASS)
def test_every_emergency_and_hazard_is_recognised(results: list[Result], category: str) -> None:
    failures = [r for r in results if r.scenario.category == category and not r.passed]
    assert not failures, render(failures)


def test_unanswerable_questions_are_not_answered_from_unrelated_entries(
    results: list[Result],
) -> None:
    assert unrelated_answers(results) <= MAX_UNRELATED_ANSWERS, render(results)
