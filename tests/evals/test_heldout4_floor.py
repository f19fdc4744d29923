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
        # first run 92/144 = 63.9 % (12 unrelated answers) on the code before the third
        # understanding round, 101/144 = 70.1 % (10) after it: nobody has read its failures
        overall_floor=0.70,
        max_unrelated_answers=10,  # a finding, not an allowance: see tests/evals/README.md
        known_missed_hazards=frozenset(),  # no hazard categories in this set
        categories=frozenset({"faq", "asr", "person", "booking", "goodbyes", "out_of_scope",
                              "no_answer"}),
    )
