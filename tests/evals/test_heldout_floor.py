"""The first held-out set (`heldout/`) must not fall below its first measured rate.

The checks are shared with every held-out set (tests/evals/heldout_floor.py).
"""

from __future__ import annotations

from tests.evals.heldout_floor import HeldoutFloorChecks, HeldoutSet
from tests.evals.scenarios import HELDOUT


class TestFirstHeldoutSet(HeldoutFloorChecks):
    held_out = HeldoutSet(
        folder=HELDOUT,
        min_scenarios=60,
        overall_floor=0.74,  # first run 62/83 = 74.7 % (main suite 94.5 %)
        max_unrelated_answers=2,  # first run 2 ("dryer vents", "grocery store close")
        known_missed_hazards=frozenset(),  # first run missed 7; none since the hazard signs
    )
