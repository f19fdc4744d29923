"""The first held-out set (`heldout/`) must not fall below its last measured rate.

The checks are shared with every held-out set (tests/evals/heldout_floor.py). The set was
written blind, but fixes have since been chosen by reading its failures (the hazard signs
and the second understanding round), so it is held out no longer: `heldout2/` and
`heldout3/` are the honest estimates now. Floors sit just under the last run.
"""

from __future__ import annotations

from tests.evals.heldout_floor import HeldoutFloorChecks, HeldoutSet
from tests.evals.scenarios import HELDOUT


class TestFirstHeldoutSet(HeldoutFloorChecks):
    held_out = HeldoutSet(
        folder=HELDOUT,
        min_scenarios=60,
        overall_floor=0.86,  # first run 62/83 = 74.7 %; 72/83 after fixes chosen on it
        max_unrelated_answers=0,  # first run 2 ("dryer vents", "grocery store close")
        known_missed_hazards=frozenset(),  # first run missed 7; none since the hazard signs
    )
