"""The second held-out set (`heldout2/`) must not fall below its first measured rate.

Written blind while fixes were being chosen on the first held-out set's failures, to see
whether they generalise; the checks are shared with every held-out set
(tests/evals/heldout_floor.py).
"""

from __future__ import annotations

from tests.evals.heldout_floor import HeldoutFloorChecks, HeldoutSet
from tests.evals.scenarios import HELDOUT2


class TestSecondHeldoutSet(HeldoutFloorChecks):
    held_out = HeldoutSet(
        folder=HELDOUT2,
        min_scenarios=110,
        # first run 83/136 = 61.0 %; 122/136 = 89.7 % after a round that read its non-hazard
        # failures (tests/evals/README.md), so no longer blind for those categories
        overall_floor=0.95,  # 131/136 = 96.3 % once both rounds met
        max_unrelated_answers=0,  # first run 7; 0 since that round
        # first run missed 26 hazards and put 2 near-misses through; since the second
        # round of hazard signs (gas odorant, CO by any name or symptoms, overheating wiring,
        # water by depth, dirty water, ages and temperatures in words) all 34 + 14 pass
        known_missed_hazards=frozenset(),
        known_false_alarms=frozenset(),
    )
