"""The fourth held-out set (`heldout4/`): the non-hazard categories, written blind.

Written while fixes to the agent's understanding were being chosen elsewhere, to measure
whether they generalise beyond the sets they were chosen on: FAQ paraphrases, misheard
names, people and messages, bookings, goodbyes, and questions that share words with an
entry but that no entry answers. The checks are shared with every held-out set
(tests/evals/heldout_floor.py); the floors are set from its first run.
"""

from __future__ import annotations

from tests.evals.heldout_floor import HeldoutFloorChecks, HeldoutSet
from tests.evals.scenarios import HELDOUT4


class TestFourthHeldoutSet(HeldoutFloorChecks):
    held_out = HeldoutSet(
        folder=HELDOUT4,
        min_scenarios=140,
        overall_floor=0.0,  # not run yet: set just under the first run
        max_unrelated_answers=999,  # not run yet: set to the first run's count
        known_missed_hazards=frozenset(),  # no hazard categories in this set
        categories=frozenset({"faq", "asr", "person", "booking", "goodbyes", "out_of_scope",
                              "no_answer"}),
    )
