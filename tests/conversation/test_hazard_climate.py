"""No heat or no cooling is an emergency with someone at risk or at a dangerous temperature,
and a service call otherwise."""

from __future__ import annotations

import pytest

from runtime.conversation.hazard_climate import NO_COOLING, NO_HEAT, dangerous_climate
from runtime.conversation.hazard_words import Heard
from runtime.conversation.hazards import every_trade_signals, recognise_emergency
from runtime.conversation.meaning import MeaningScores


def label_of(utterance: str) -> str | None:
    sign = dangerous_climate(Heard(utterance))
    return sign.label if sign else None


@pytest.mark.parametrize(("utterance", "label"), [
    ("the furnace gave out and my wife is seven months pregnant", NO_HEAT),
    ("we have no heating and a 4 month old", NO_HEAT),
    ("heater stopped working and my dad is 91 years old", NO_HEAT),
    ("the boiler quit and the house is down to 48 degrees", NO_HEAT),
    ("the heat went out and its 5 below outside", NO_HEAT),
    ("our heat is broken and the pipes froze", NO_HEAT),
    ("the heat died and its forty in the bedroom", NO_HEAT),
    ("the ac broke down and its 96 in the apartment", NO_COOLING),
    ("no air conditioning and my son uses a wheelchair and cant cool off", NO_COOLING),
    ("central air stopped and grandpa passed out", NO_COOLING),
    ("the ac is out and its 104 outside", NO_COOLING),
    ("the heat pump died its 99 degrees inside", NO_COOLING),
    ("the furnace is dead and the thermostat reads 47", NO_HEAT),
    ("the heater quit and my mom is 93", NO_HEAT),
])
def test_a_loss_made_dangerous_is_an_emergency(utterance: str, label: str) -> None:
    assert label_of(utterance) == label


@pytest.mark.parametrize("utterance", [
    "the furnace stopped working last night",  # nobody at risk, no temperature
    "the ac isnt cooling and its 84 in here",  # uncomfortable, not dangerous
    "the heat is out and its 60 degrees inside",
    "the heat went out and its 35 degrees outside",  # mild outside: not yet
    "our 30 year old house has no heat",  # an age, not a temperature
    "the ac quit 2 days ago",
    "my baby's nursery is a bit stuffy",  # someone at risk, nothing lost
    "we have an elderly parent and want a maintenance plan for the furnace",
    "i dont have a baby but the heat is out",
    "the heat is out and my son is 12",  # an age, not one at risk
])
def test_a_loss_without_danger_or_danger_without_a_loss_is_no_emergency(utterance: str) -> None:
    assert label_of(utterance) is None


def test_the_safety_lines_say_call_911_for_cold_and_heat() -> None:
    signals = every_trade_signals(["Plumbing"])  # an HVAC hazard at a plumbing company
    cold = recognise_emergency("the furnace died and its 45 degrees in here", signals,
                               MeaningScores())
    hot = recognise_emergency("the ac died and my newborn is listless and dehydrated",
                              signals, MeaningScores())
    assert cold is not None and cold.label == NO_HEAT and "911" in cold.advice
    assert "medical equipment" in cold.advice
    assert hot is not None and hot.label == NO_COOLING and "cool" in hot.advice
