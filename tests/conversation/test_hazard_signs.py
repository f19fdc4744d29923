"""Hazards recognised from their signs however worded, and what only sounds like one.

Recognition here uses no meaning scores at all (`MeaningScores()`): these are the
phrase-free wordings the sign rules must catch on their own, and the near-misses they must
leave alone. The wordings are not those of the eval scenarios.
"""

from __future__ import annotations

import pytest
from policy_builders import ON_CALL_PHONE, TWO_AM, FixedMeaning, make_context, make_snapshot, say

from runtime.conversation import ConversationState, DialoguePolicy, Tier, Transfer
from runtime.conversation.hazard_words import Heard, Terms, near
from runtime.conversation.hazards import every_trade_signals, recognise_emergency
from runtime.conversation.meaning import MeaningScores

EVERY_TRADE = every_trade_signals(["HVAC"])


def label_of(utterance: str, scores: MeaningScores | None = None) -> str | None:
    emergency = recognise_emergency(utterance, EVERY_TRADE, scores or MeaningScores())
    return emergency.label if emergency else None


def test_terms_match_every_inflection_and_irregular_forms() -> None:
    smoke = Terms.of(["smoke"])
    for said in ("the fan is smoking", "it smoked", "smokes a lot", "smoke everywhere"):
        assert Heard(said).heard(smoke), said
    assert Heard("the plug smells burnt").heard(Terms.of(["burning"]))
    assert Heard("the outlet is smokin").heard(smoke)  # speech-to-text drops the g
    assert not Heard("the sink basin").heard(Terms.of(["base"]))
    assert not Heard("the furnace fires up").heard(Terms.of(["fire"], exact=True))
    assert Heard("the furnace fires up").heard(Terms.of(["fire"]))


def test_a_negation_holds_within_its_clause_only() -> None:
    sparks = Terms.of(["sparks"])
    assert not Heard("there are no sparks").heard(sparks)
    assert not Heard("i didnt see any sparks").heard(sparks)
    assert Heard("no smoke but the outlet sparks").heard(sparks)
    assert label_of("i cant smell any gas") is None
    assert label_of("theres no gas smell but the outlet is sparking") == "sparks_or_smoke"
    carbon_monoxide = Terms.of(["carbon monoxide", "monoxide"])  # a term inside a negated
    assert not Heard("it doesnt put out carbon monoxide").heard(carbon_monoxide)  # one too
    assert Heard("it doesnt start and theres carbon monoxide").heard(carbon_monoxide)


def test_near_counts_words_between_spans() -> None:
    assert near([(0, 1)], [(3, 4)], 3) and not near([(0, 1)], [(4, 5)], 3)
    assert near([(5, 6)], [(0, 2)], 4) and not near([], [(0, 1)], 9)


@pytest.mark.parametrize(("utterance", "label"), [
    # a danger sign; the equipment near it says whose safety lines
    ("the recliner in the den is smoking", "fire_or_smoke"),
    ("the ceiling fan is smoking", "sparks_or_smoke"),
    ("smoke is billowing from the return duct", "burning_smell_from_equipment"),
    ("the heat pump smells burnt", "burning_smell_from_equipment"),
    ("the dimmer switch smells like burning", "burning_smell"),
    ("the garage plug is scorched and hot to the touch", "burning_smell"),
    ("the cord for the freezer melted", "burning_smell"),
    ("i smell something burning upstairs", "fire_or_smoke"),
    ("a flame shot out of the breaker panel", "sparks_or_smoke"),
    ("orange flames are coming out of the outlet", "sparks_or_smoke"),
    ("the monoxide sensor is going off", "carbon_monoxide"),
    ("the wall socket arced when i touched it", "sparks_or_smoke"),
    ("gas is hissing out by the stove valve", "gas_smell"),
    ("the laundry room stinks of natural gas", "gas_smell"),
    ("a sulphur smell by the range", "gas_smell"),
    ("we might have co poisoning", "carbon_monoxide"),
    ("sewage is spilling out of the floor drain", "sewage_backup"),
    ("the main drain is backing up into the laundry sink", "sewage_backup"),
    ("the fridge water line snapped and is spraying", "burst_pipe"),
    ("the shower is overflowing and i cant get it to stop", "burst_pipe"),
    ("water from the toilet is coming through the floor", "flooding"),
    ("the ceiling light is dripping water", "flooding"),
    ("water is getting into the outlet by the tub", "water_and_electricity"),
    ("the line from the pole fell on the fence", "shock_or_exposed_wires"),
    ("the faucet shocked me", "shock_or_exposed_wires"),
    ("my daughter got a jolt from the lamp", "shock_or_exposed_wires"),
    ("the copper line split after the freeze and now water is shooting out", "burst_pipe"),
    ("every drain in the house is backing up", "sewage_backup"),
    ("the boiler blew up and theres soot on every wall", "burning_smell_from_equipment"),
    ("the wall thermostat is melting", "burning_smell"),
])
def test_a_sign_worded_without_any_phrase_is_that_hazard(utterance: str, label: str) -> None:
    assert label_of(utterance) == label


@pytest.mark.parametrize("utterance", [
    "do you sell carbon monoxide alarms",  # a device without its alarm going off
    "the smoke alarm chirps at night",
    "the furnace takes a while to fire up",  # "fire" that is no fire
    "we want a gas fire pit on the patio",
    "is aluminum wiring a fire hazard",
    "a burning dust smell comes from the vents in the fall",  # ordinary causes
    "the smoke detector went off because of burnt toast",
    "the ignitor sparks but nothing lights",
    "the pilot flame is blue and small",
    "there is a sewer gas odor in the laundry room",  # gas that is no gas leak
    "our gas water heater leaks a little",
    "the water from the tub smells like rotten eggs",
    "the hot water has a sulfur smell",
    "how do i protect my pipes from bursting",  # hypotheticals
    "what do i do if the basement floods",
    "is it normal for the furnace to smoke the first time",
    "how much to replace a burst pipe",  # a service question, no trouble of one's own
    "do you clean up after sewage backups",
    "the toilet keeps running after a flush",  # no sign
    "the faucet wont stop dripping",
    "the kitchen drain backs up sometimes",
    "the plug sparked once when i pulled it out",
    "the water softener is leaking a little",  # said to be small
    "the crawlspace floods every time it rains hard",  # a recurring problem
    "my toilet is backing up",  # one clogged toilet, not the main line
    "i was shocked by the quote",
])
def test_what_only_sounds_like_a_hazard_is_none(utterance: str) -> None:
    assert label_of(utterance) is None


def test_phrases_of_two_words_or_more_are_heard_in_any_inflection() -> None:
    signals = every_trade_signals(["Plumbing"], ["well pump quit"])
    company = recognise_emergency("both well pumps quit overnight", signals, MeaningScores())
    assert company is not None and company.label == "company_emergency_phrase"
    context = recognise_emergency("the furnaces stopped and the pipes are freezing", signals,
                                  MeaningScores())
    assert context is not None and context.label == "no_heat_in_freeze"
    assert recognise_emergency("the furnaces stopped", signals, MeaningScores()) is None
    assert recognise_emergency("the burner fired twice", signals, MeaningScores()) is None


def test_a_service_question_with_trouble_of_ones_own_is_a_hazard() -> None:
    assert label_of("how much to fix a burst pipe mine just went") == "burst_pipe"
    assert label_of("do you sell co alarms ours is going off and we feel sick") is not None


def test_a_hypothetical_or_past_problem_said_to_be_happening_now_is_a_hazard() -> None:
    assert label_of("what do i do if the outlet is smoking") is None
    assert label_of("what do i do if the outlet is smoking right now") == "sparks_or_smoke"
    assert label_of("the basement flooded years ago") is None
    assert label_of("the basement flooded years ago and its still flooding") == "flooding"


def test_a_carbon_monoxide_alarm_counts_however_it_sounds() -> None:
    for said in ("the co detector is going crazy", "the monoxide alarm keeps chirping",
                 "the c o alarm is beeping",
                 "our carbon monoxide detectors went off"):
        assert label_of(said) == "carbon_monoxide", said


def test_gas_named_in_a_hypothetical_is_still_a_hazard() -> None:
    assert label_of("what should i do if i smell gas") == "gas_smell"
    assert label_of("the water heater closet smells like rotten eggs") == "gas_smell"


def test_a_sign_comes_with_the_safety_lines_of_its_hazard() -> None:
    smoking = recognise_emergency("the breaker panel smoked", EVERY_TRADE, MeaningScores())
    hissing = recognise_emergency("propane is hissing out", EVERY_TRADE, MeaningScores())
    assert smoking is not None and "breaker" in smoking.advice
    assert hissing is not None and "leave the building" in hissing.advice


def test_the_equipment_named_chooses_the_safety_lines_over_a_phrase_of_another_trade() -> None:
    furnace = recognise_emergency("the heater gives off a burning smell", EVERY_TRADE,
                                  MeaningScores())  # "burning smell" is electrical's phrase
    alarm = recognise_emergency("the smoke alarm is sounding and the furnace is smoking",
                                EVERY_TRADE, MeaningScores())
    assert furnace is not None and furnace.label == "burning_smell_from_equipment"
    assert "thermostat" in furnace.advice
    assert alarm is not None and alarm.label == "fire_or_smoke"  # get out, whatever smokes


def test_meaning_alone_needs_a_lead_over_anything_ordinary() -> None:
    close_call = MeaningScores({}, {"burning_smell_from_equipment": 0.76}, ordinary=0.72)
    clear = MeaningScores({}, {"burning_smell_from_equipment": 0.8}, ordinary=0.6)
    assert label_of("the unit has an odd odor at start up", close_call) is None
    assert label_of("the unit has an odd odor at start up", clear) is not None


def test_meaning_does_not_count_once_a_lookalike_was_taken_out() -> None:
    scores = MeaningScores({}, {"fire_or_smoke": 0.9}, ordinary=0.2)
    assert label_of("my smoke detector chirps every few minutes", scores) is None


async def test_a_sign_wins_over_a_knowledge_entry_that_fits_better_by_meaning() -> None:
    snapshot = make_snapshot()
    utterance = "the bathtub overflowed and it wont stop"
    scores = MeaningScores({entry.id: 0.95 for entry in snapshot.knowledge}, {"flooding": 0.5})

    policy = DialoguePolicy(snapshot, None, clock=lambda: TWO_AM, meaning=FixedMeaning(scores))
    outcome = await say(policy, ConversationState.new(), make_context(), utterance)
    assert outcome.tier is Tier.EMERGENCY
    assert isinstance(outcome.action, Transfer) and outcome.action.number == ON_CALL_PHONE
