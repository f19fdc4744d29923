"""Example sentences of each hazard, for recognising it by meaning as well as by phrase.

Keyed by the `EmergencySignal.label` of the trade catalogs and the generic signals; a
caller's utterance close enough in meaning to one example counts as that hazard (see
`runtime/conversation/hazards.py`). Hazards whose signal needs a context (no heat only in
a freeze) are left to their phrases: meaning alone cannot check the context.
"""

from __future__ import annotations

HAZARD_EXAMPLES: dict[str, tuple[str, ...]] = {
    "gas_smell": (
        "I smell gas in my house",
        "there is a strong gas odor in the kitchen",
        "it smells like rotten eggs near the stove",
        "I think the gas line is leaking",
    ),
    "carbon_monoxide": (
        "my carbon monoxide alarm is going off",
        "the CO detector keeps beeping and we feel dizzy",
        "we have headaches and the monoxide alarm went off",
    ),
    "fire_or_smoke": (
        "there is a fire in my house",
        "smoke is filling the room",
        "something is on fire",
    ),
    "burning_smell_from_equipment": (
        "my furnace is making a burning smell",
        "there is smoke coming out of the air vents",
        "the heater smells like it is burning",
    ),
    "burst_pipe": (
        "a pipe burst and water is spraying everywhere",
        "water is gushing out of the wall",
        "the pipe under the sink broke and water is pouring out",
    ),
    "flooding": (
        "my basement is flooding",
        "there is water coming through the ceiling",
        "the house is filling up with water",
    ),
    "sewage_backup": (
        "sewage is backing up into the bathtub",
        "raw sewage is coming up through the floor drain",
    ),
    "water_heater_failure": (
        "my water heater burst and is flooding the garage",
        "the water heater is leaking all over the floor",
    ),
    "sparks_or_smoke": (
        "sparks are coming out of the outlet",
        "the electrical panel is smoking",
        "the outlet popped and there was a flash",
    ),
    "burning_smell": (
        "I smell burning plastic from an outlet",
        "the light switch is hot and smells like it is melting",
    ),
    "shock_or_exposed_wires": (
        "I got shocked touching the light switch",
        "there are exposed live wires hanging from the ceiling",
        "a power line is down in my yard",
    ),
    "water_and_electricity": (
        "water is dripping into the electrical panel",
        "the outlet got wet and the breaker box is soaked",
    ),
}

# Ordinary equipment complaints that sound like a hazard to a sentence model (same
# appliance, a noise or a smell) but are not one: a hazard must be closer in meaning to
# its own examples than to any of these, as well as to any knowledge question.
ORDINARY_EXAMPLES: tuple[str, ...] = (
    "the furnace makes a loud bang when it kicks on",
    "the heater smells dusty the first time we turn it on in the fall",
    "my air conditioner is making a rattling noise",
    "the water heater makes popping and rumbling sounds",
    "the electrical panel is humming",
    "there is condensation dripping from the ac drain line outside",
    "my outlet cover is loose",
    "the furnace keeps turning on and off",
    "there is a small drip under the bathroom sink",
    "the toilet gurgles when the shower drains",
    "there is an old water stain on the ceiling",
    "the heater smells funny for a few minutes when it turns on",
    "dusty air blows out of the registers",
    "the air coming out smells a little dusty",
    "my heater blows cold air for a minute when it starts",
    "the furnace filter is really dirty",
    "the ac is blowing warm air",
    "the ac drips water outside by the unit",
    "the water heater makes a rumbling noise",
    "the water heater isn't getting hot",
    "the toilet runs every now and then",
    "the kitchen faucet drips",
    "the sink drains slowly",
    "the basement is damp and smells musty",
    "the light flickers when the fridge kicks on",
    "an outlet stopped working",
    "the breaker trips when I run the microwave",
    "the sump pump is loud when it runs",
    "the gas fireplace won't light",
    "my pilot light keeps going out",
    "my electric bill is really high",
    "the thermostat screen is blank",
    "the ac makes a clicking noise when it starts",
    "the garbage disposal hums but won't spin",
    "the outlet cover is cracked",
    "my gfci outlet keeps tripping",
    "the water pressure is low",
    "the furnace smelled a bit burnt at the start of the season but it's fine now",
    "I want a quote before my water heater leaks",
    "the smoke detector battery is low and it chirps",
)
