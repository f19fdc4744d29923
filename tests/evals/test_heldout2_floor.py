"""The second held-out set (`heldout2/`) must not fall below its first measured rate.

Written blind after the first held-out set had been read to choose fixes; the checks are
shared with every held-out set (tests/evals/heldout_floor.py).
"""

from __future__ import annotations

from tests.evals.heldout_floor import HeldoutFloorChecks, HeldoutSet
from tests.evals.scenarios import HELDOUT2


class TestSecondHeldoutSet(HeldoutFloorChecks):
    held_out = HeldoutSet(
        folder=HELDOUT2,
        min_scenarios=110,
        overall_floor=0.0,  # not yet run: set just under the first run
        max_unrelated_answers=0,  # not yet run
        known_missed_hazards=frozenset(),  # not yet run
    )
