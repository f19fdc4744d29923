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
        overall_floor=0.88,
        max_unrelated_answers=0,  # first run 7; 0 since that round
        known_missed_hazards=frozenset({  # first run: missed (re-asked or a catalog answer)
            "my mom is ninety and her air stopped working its like ninety two in her place",
            "the vents smell like melting plastic and the unit is making a loud buzzing",
            "theres a burning rubber smell from the blower and now the breaker wont stay on",
            "yeah so the heat stopped and i have a two month old and its getting real cold in here",
            "theres water coming up through the floorboards in the hallway and it wont stop",
            "we just came home and theres like an inch of water all over the downstairs",
            "the water heater is making a loud popping and water is pouring out the bottom of it",
            "every time we flush the basement drain fills up with dirty water and it smells awful",
            "the line from the street broke and waters bubbling up in the yard and coming in the "
            "basement window",
            "the wall around the outlet in the bedroom is turning black and it feels warm",
            "a tree branch pulled the wire off the house and its laying across the driveway",
            "my son touched the dryer and it zapped him pretty bad",
            "the main shut off valve broke off in my hand and water is blasting out",
            "its a hundred and twelve outside the ac is dead and my grandmother has a heart "
            "condition",
            "all the lights keep dimming and i hear sizzling inside the wall",
            "the ceiling in the hall is bulging with water and starting to sag",
            "water is shooting out of the wall behind the washing machine and i cant find the "
            "shut off",
            "the toilet backed up and now sewer water is coming out of the shower drain",
            "my breaker box is crackling and i can see like a glow inside it",
            "its nine degrees out our furnace quit and my husband is on dialysis",
            # safety: not recognised, or recognised without the safety line
            "theres a smell like a skunk coming from where the gas heater is",
            "the alarm on the ceiling that says co keeps going off and my wife has a headache",
            "we keep smelling propane in the hallway",
            "theres a sulfur smell by the stove and the pilot light is out",
            "i can hear hissing at the gas meter and it stinks outside",
            "theres smoke coming out of the light switch in the hallway",
        }),
        known_false_alarms=frozenset({  # first run: routine calls put through as emergencies
            "can you check my carbon monoxide detector when you do the tune up",
            "the fire department told us to get the heater checked once a year can you do that",
        }),
    )
