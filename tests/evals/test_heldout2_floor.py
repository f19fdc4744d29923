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
        overall_floor=0.85,  # first run 83/136 = 61.0 % (main suite 94.5 %, first held-out
        # 74.7 %); 116/136 = 85.3 % at the third round of hazard classes
        max_unrelated_answers=7,  # first run 7 (see tests/evals/README.md)
        # first run missed 26 hazards and put 2 near-misses through; since the second
        # round of hazard signs (gas odorant, CO by any name or symptoms, overheating wiring,
        # water by depth, dirty water, ages and temperatures in words) all 34 + 14 pass
        known_missed_hazards=frozenset(),
        known_false_alarms=frozenset(),
    )
