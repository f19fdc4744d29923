"""The third held-out set (`heldout3/`: emergencies and safety only) and its floor.

Written blind while other engineers were improving emergency recognition, to measure
whether their fixes generalise to hazards worded without the obvious trigger words. The
floor and the named misses are set after its first run; the checks are shared with every
held-out set (tests/evals/heldout_floor.py).
"""

from __future__ import annotations

from tests.evals.heldout_floor import HAZARD_CATEGORIES, HeldoutFloorChecks, HeldoutSet
from tests.evals.scenarios import HELDOUT3


class TestThirdHeldoutSet(HeldoutFloorChecks):
    held_out = HeldoutSet(
        folder=HELDOUT3,
        min_scenarios=90,
        overall_floor=0.0,  # not yet run: the lead sets it just under the first run
        max_unrelated_answers=0,  # the set has no no-answer questions
        known_missed_hazards=frozenset(),
        known_false_alarms=frozenset(),
        categories=frozenset(HAZARD_CATEGORIES),
    )
