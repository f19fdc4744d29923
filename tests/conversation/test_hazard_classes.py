"""Each class of hazard callers describe without its usual words, and the near-misses of
each class: gas by its odorant or at a damaged fitting, carbon monoxide by any name of its
alarm or by its symptoms, wiring overheating or shocking, service wires down, water by its
depth or through a failing ceiling, sewage as dirty water, ages and temperatures said in
words. Rules only (no meaning scores); wordings are not the eval scenarios'.
"""

from __future__ import annotations

import pytest
from policy_builders import ON_CALL_PHONE, TWO_AM, FixedMeaning, make_context, make_snapshot, say

from runtime.conversation import ConversationState, DialoguePolicy, Tier, Transfer
from runtime.conversation.hazard_climate import NO_COOLING, NO_HEAT
from runtime.conversation.hazards import every_trade_signals, recognise_emergency
from runtime.conversation.meaning import MeaningScores

EVERY_TRADE = every_trade_signals(["Plumbing"])


def label_of(utterance: str) -> str | None:
    emergency = recognise_emergency(utterance, EVERY_TRADE, MeaningScores())
    return emergency.label if emergency else None


@pytest.mark.parametrize(("said", "label"), [
    # gas: the odorant, escaping at a fitting, a fitting hit
    ("the crawlspace has a skunky smell near the furnace pipe", "gas_smell"),
    ("smells like someone left the stove on but every knob is off", "gas_smell"),
    ("theres a loud whooshing at the meter by the side door", "gas_smell"),
    ("a backhoe cut the gas line at the curb", "gas_smell"),
    ("the regulator on the propane tank is hissing", "gas_smell"),
    ("the laundry room smells a lot like bad eggs", "gas_smell"),
    ("the den smells like a gas grill but we dont have one", "gas_smell"),  # not its appliance
    ("theres a whistle out back right beside the pipe where our gas comes in", "gas_smell"),
    ("i think there is some co in the house, my husband has a headache", "carbon_monoxide"),
    ("my wife and i are woozy and exhausted and the wood stove has been going", "carbon_monoxide"),
    # carbon monoxide: its alarm by any name, a detector speaking, the household sick
    ("the c o alarm in the basement is screeching", "carbon_monoxide"),
    ("the see oh alarm is beeping like crazy", "carbon_monoxide"),  # as speech-to-text hears it
    ("the gas man said the co level in the kitchen is high", "carbon_monoxide"),
    ("the co detector reads 90 and my son feels sick", "carbon_monoxide"),
    ("the co detector in the hall says 120", "carbon_monoxide"),
    ("the smoke alarm and the monoxide alarm have been going", "carbon_monoxide"),
    ("the carbon mono oxide detector keeps beeping", "carbon_monoxide"),
    ("the plug in detector is saying evacuate", "carbon_monoxide"),
    ("all of us woke up with pounding headaches and nausea and the boiler is on",
     "carbon_monoxide"),
    ("my husband and i are dizzy and groggy since we lit the space heater", "carbon_monoxide"),
    ("my son is confused and i feel like throwing up and the gas boiler is going",
     "carbon_monoxide"),  # "gas boiler" is no gas leak, but the boiler still burns fuel
    # electrical: overheating, a flash, shocks, service wires down
    ("the plastic around the outlet went black", "sparks_or_smoke"),
    ("the fuse box is humming and it smells funny", "sparks_or_smoke"),
    ("theres a glow inside the junction box", "sparks_or_smoke"),
    ("there was a big flash at the light switch", "sparks_or_smoke"),
    ("the switch plate by the door made a snap and now it has scorch marks", "burning_smell"),
    ("half the outlets quit after a loud crack from the garage", "sparks_or_smoke"),
    ("my daughter got a tingle touching the shower handle", "shock_or_exposed_wires"),
    ("the fridge gives a shock when you touch the door", "shock_or_exposed_wires"),
    ("i felt a buzz go up my hand when i grabbed the shower valve", "shock_or_exposed_wires"),
    ("my daughter got burned by the outlet in her room", "shock_or_exposed_wires"),
    ("the dishwasher handle bit me when i touched it", "shock_or_exposed_wires"),
    ("the power pole out back is leaning onto the garage", "shock_or_exposed_wires"),
    ("wind tore the service drop off the side of the house", "shock_or_exposed_wires"),
    ("the wires going to the house are dangling over the driveway", "shock_or_exposed_wires"),
    # water: a failed tank, a valve that won't close, depth, a ceiling giving way, a sump
    ("the hot water tank gave way and its emptying onto the floor", "burst_pipe"),
    ("the shut off is stuck open and the leak under the sink keeps coming", "burst_pipe"),
    ("the finished basement is knee deep", "flooding"),
    ("there is a foot of water in the utility room", "flooding"),
    ("the ceiling in the kids room is bowing from all the water", "flooding"),
    ("the sump died in the storm and water is seeping in along the walls", "flooding"),
    ("water is coming through the subfloor in the kitchen", "flooding"),
    ("the hallway ceiling is crumbling from a leak in the attic", "flooding"),
    ("we have a flood in the office downstairs", "flooding"),
    ("the garage is covered in water and it keeps rising", "flooding"),
    ("the ejector pump died and the pit is taking on water", "flooding"),
    ("the ice maker hose split and water is running all over the kitchen", "burst_pipe"),
    ("the softener is leaking like a hose", "burst_pipe"),
    ("the line to the sprinklers is leaking really fast in the garage", "burst_pipe"),
    ("the shut off that was replaced last month is spraying water all over", "burst_pipe"),
    ("the water from the washer is spreading across the floor", "flooding"),
    ("the water in the den is like a lake", "burst_pipe"),
    ("the pit under the stairs is full of water and rising", "flooding"),
    ("the fitting on the tank snapped and i cant shut the water off", "burst_pipe"),
    # sewage said as dirty water
    ("nasty brown water is welling up out of the floor drain", "sewage_backup"),
    ("the clean out in the yard is bubbling out", "sewage_backup"),
    ("grey water is coming up into the tub every time we flush", "sewage_backup"),
    ("the shower is backing up with brown stuff", "sewage_backup"),
    ("raw sewage in shower", "sewage_backup"),
    # smoke said as haze or puffing
    ("a hazy cloud is coming out of the vents upstairs", "fire_or_smoke"),
    ("the blower is puffing smoke", "burning_smell_from_equipment"),
    ("i think something under the porch is burning", "fire_or_smoke"),
    # the house's temperature read off a thermostat or thermometer, someone at risk, or the
    # equipment not coping ("can't keep it cool"), with no failure named
    ("my mother is on oxygen and the thermometer in her room reads ninety six", NO_COOLING),
    ("the temperature inside is 50 degrees and my newborn is with us", NO_HEAT),
    ("the house wont stay warm and grandpa is ninety two", NO_HEAT),
    ("we cant keep the place cool and my son has a heart condition", NO_COOLING),
    # an electrical smell in any wording; the equipment named decides whose lines
    ("theres a smell like hot wires coming from the furnace closet",
     "burning_smell_from_equipment"),
    ("the blower in the attic is grinding and the whole upstairs has an electric smell",
     "burning_smell_from_equipment"),
    ("it smells like electrical stuff frying near the microwave", "fire_or_smoke"),
    ("the garage panel is popping and theres a scorched smell in the hallway", "burning_smell"),
    # water out of a wired part, current in water or a person, a service wire on a fence
    ("water keeps trickling out through the electrical outlet in the laundry",
     "water_and_electricity"),
    ("theres electricity in the pool, my son felt it", "shock_or_exposed_wires"),
    ("i think current is running through the bathtub faucet", "shock_or_exposed_wires"),
    ("the line from the pole is drooping over our chain link fence", "shock_or_exposed_wires"),
    # an alarm the caller cannot silence: the negation is the trying's, not the alarm's
    ("my wife cant turn off the carbon monoxide alarm", "carbon_monoxide"),
    ("we cant keep the co detector from going off", "carbon_monoxide"),
    # sparks from a switch or dimmer in use, whatever their size
    ("the light switch in the hall gives off small sparks when we use it", "sparks_or_smoke"),
])
def test_a_hazard_described_without_its_usual_words_is_recognised(said: str, label: str) -> None:
    assert label_of(said) == label


@pytest.mark.parametrize(("said", "label"), [
    ("the furnace went out its forty five degrees inside and we have a baby", NO_HEAT),
    ("my grandmother is ninety four and the heat quit", NO_HEAT),
    ("the boiler is dead and its twelve below outside", NO_HEAT),
    ("the air stopped and its a hundred and four outside", NO_COOLING),
    ("the ac quit and my husband just got out of surgery", NO_COOLING),
    ("no air conditioning and my mother is confused and very weak", NO_COOLING),
    ("the ac is out and my dad was just discharged from the hospital", NO_COOLING),
    ("no heat infant in the house", NO_HEAT),  # texted tersely: the "no" is the heat's
])
def test_someone_at_risk_or_a_temperature_said_in_words(said: str, label: str) -> None:
    assert label_of(said) == label


@pytest.mark.parametrize("said", [
    "can you put in a new co detector when you come for the furnace",
    "the fire marshal wants the panel looked at before we open the shop",
    "my fire department said i should get my chimney cleaned every year",
    "the gas company came and fixed the leak last week, now i need the stove hooked up",
    "how often should the carbon monoxide alarms be changed",
    "how do i avoid a gas leak with my old dryer",
    "i was shocked by the quote i got for a new panel",
    "i get a static shock off the carpet in winter",
    "the breaker pops whenever the vacuum runs",
    "the furnace bangs a little when it lights",
    "the cable line to the house is sagging",
    "i need a three quarter inch water line run to the fridge",
    "the heat quit and she has two dogs",
    "its seventy one in the house and the ac works fine just needs a tune up",
    "my outlet covers are kind of yellowed can you swap them",
    "we have headaches from the noise of the construction next door",
    "the sump pump runs a lot when it rains",
    "the basement gets a little water whenever it rains hard",
    "the ac quit and its eighty five degrees in the living room",
    "the heater quit and im sick of waiting on the warranty company",
    "the ac died and the airflow was weak before that anyway",
    "i was shocked at the price to redo the shower valve",
    "the pipe that burst under the sink was fixed and now i need the cabinet floor redone",
    "there is a brown ring on the ceiling from an old leak that was fixed",
    "what do i do if i ever smell gas at the cabin",
    "the water meter out front hisses when the toilet fills",
    "please look at the scorched outlet we already replaced, the new one is loose",
    "the ceiling fan in the den is falling apart",
    "the upstairs toilet keeps running and wont stop",
    "the co monitor says end of life on the screen",
    "the outlet smelled hot yesterday but that went away and i want it checked",
    "we live in a flood zone and want a backflow valve",
    "the garage smelled of gas on monday, the utility came out and said it was fine",
    "the plug sparks a little bit when i pull the cord out",
    "the gas range smells like burnt food",
    "how can i tell if there is carbon monoxide in my house",
    "what happens if the co alarm goes off",
    "we had the carbon monoxide alarm tied into the alarm system",
    "our crawlspace flooded in 2021 so we want a vapor barrier",
    "the insurance adjuster said the old panel is a fire risk",
    "there is a small hole in the copper pipe can you patch it",
    # the third round's near-misses
    "how often should a gas water heater be inspected so it doesnt leak gas",
    "how often should the chimney be swept so it doesnt put out carbon monoxide",
    "how often should the boiler be looked at so it wont leak carbon monoxide",
    "we had the co alarm go off two winters ago and the tech fixed the heat exchanger",
    "our propane line leaked last summer and it got repaired now we need a new stove hooked up",
    "can you set the thermostat to 90 for my grandma",
    "my elderly father says his thermostat reads 72",
    "we dont smell any gas at all",
    "my grandma is 80 and its 105 degrees outside can you tune up her ac",
    "the electric furnace smells a little dusty the first time it runs",
    "the outlet sparked a little when i plugged in the toaster",
    "the cable line from the pole to the house is sagging over the fence",
    "the old wire on top of the fence is sagging",
    "the water heater has no power going through it",
    "theres power going through the wire to the shed again",
    "the electrician made sure power is going through the hot water heater element",
    "the inspector told us the old furnace doesnt leak carbon monoxide",  # within 3 words
])
def test_near_misses_of_each_class_are_no_hazard(said: str) -> None:
    assert label_of(said) is None


@pytest.mark.parametrize("said", [
    "the meter on the side of the garage is whooshing",  # gas at an HVAC-only company
    "the fuse box is humming and it smells funny",  # electrical
    "there is a foot of water in the utility room",  # plumbing
    "nasty brown water is welling up out of the floor drain",
    "it smells like something electric is frying by the washer and the breaker keeps tripping",
])
async def test_a_hazard_of_another_trade_wins_over_a_closer_knowledge_entry(said: str) -> None:
    snapshot = make_snapshot()  # an HVAC company: none of these is its trade
    scores = MeaningScores({entry.id: 0.95 for entry in snapshot.knowledge}, {}, ordinary=0.9)

    policy = DialoguePolicy(snapshot, None, clock=lambda: TWO_AM, meaning=FixedMeaning(scores))
    outcome = await say(policy, ConversationState.new(), make_context(), said)
    assert outcome.tier is Tier.EMERGENCY
    assert isinstance(outcome.action, Transfer) and outcome.action.number == ON_CALL_PHONE
