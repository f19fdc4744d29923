"""The floor checks every held-out scenario set shares (one `Test...` class per set).

A held-out set is written blind (without reading the matcher or running it first) and no
fix is chosen on it, so its rate is the honest estimate of how the matcher generalises
(tests/evals/README.md). Its floors sit just under its first run. Emergencies and safety
hazards should have no slack; the hazards a set's first run missed, and the near-misses it
took for emergencies, are listed by name (findings, not exemptions to grow): every other
scenario of those categories must pass, and a listed one that starts passing should be
taken off its list.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import pytest

from runtime.providers.minilm_onnx import OnnxMiniLmEmbedder
from tests.evals.run_evals import rates, render, unrelated_answers
from tests.evals.scenarios import HELDOUT_SETS, MAIN, Result, load_scenarios, run_suite

HAZARD_CATEGORIES = ("emergencies", "safety")
COMPANIES = {"arctic", "bluewater", "allpro"}


@dataclass(frozen=True)
class HeldoutSet:
    folder: Path
    min_scenarios: int
    overall_floor: float  # just under the first run
    max_unrelated_answers: int
    known_missed_hazards: frozenset[str]
    known_false_alarms: frozenset[str] = frozenset()  # near-misses taken for emergencies
    categories: frozenset[str] | None = None  # the categories it covers; None: all the main suite's

    @property
    def known_hazard_failures(self) -> frozenset[str]:
        return self.known_missed_hazards | self.known_false_alarms


def other_wordings(folder: Path) -> set[str]:
    """Every utterance of the main suite and of the other held-out sets."""
    return {scenario.say for other in (MAIN, *HELDOUT_SETS) if other != folder
            for scenario in load_scenarios(other)}


class HeldoutFloorChecks:
    """Subclass as `Test...` with `held_out` set; pytest collects the checks per set."""

    held_out: ClassVar[HeldoutSet]

    @pytest.fixture(scope="class")
    async def results(self) -> list[Result]:
        return await run_suite(OnnxMiniLmEmbedder(), load_scenarios(self.held_out.folder))

    def test_the_set_covers_every_category_and_is_new(self) -> None:
        scenarios = load_scenarios(self.held_out.folder)
        assert len(scenarios) >= self.held_out.min_scenarios
        categories = self.held_out.categories or {s.category for s in load_scenarios()}
        assert {s.category for s in scenarios} == categories
        assert {s.company for s in scenarios} == COMPANIES
        repeated = Counter(s.say for s in scenarios)
        assert not [say for say, count in repeated.items() if count > 1]
        seen = other_wordings(self.held_out.folder)
        assert not [s.say for s in scenarios if s.say in seen]

    def test_the_pass_rate_stays_above_the_floor(self, results: list[Result]) -> None:
        passed, total = rates(results)["overall"]
        assert passed / total >= self.held_out.overall_floor, render(results)

    def test_every_hazard_but_the_known_misses_is_recognised(
        self, results: list[Result],
    ) -> None:
        known = self.held_out.known_hazard_failures
        failures = [r for r in results if r.scenario.category in HAZARD_CATEGORIES
                    and not r.passed and r.scenario.say not in known]
        assert not failures, render(failures)

    def test_the_known_misses_are_in_the_set(self) -> None:
        hazards = [s for s in load_scenarios(self.held_out.folder)
                   if s.category in HAZARD_CATEGORIES]
        emergencies = {s.say for s in hazards if s.expect == "emergency"}
        near_misses = {s.say for s in hazards if s.expect == "not_emergency"}
        assert emergencies >= self.held_out.known_missed_hazards
        assert near_misses >= self.held_out.known_false_alarms

    def test_unanswerable_questions_are_not_answered_from_unrelated_entries(
        self, results: list[Result],
    ) -> None:
        assert unrelated_answers(results) <= self.held_out.max_unrelated_answers, render(results)
