"""No heat or no cooling that is dangerous: someone vulnerable, in distress, or a house at
a dangerous temperature.

"My AC stopped working" is a service call; "the AC quit and my newborn is overheating" and
"our heat is out, my dad is on oxygen, it's 40 degrees in here" are emergencies. A loss of
heat or cooling (the equipment named with how it failed, in any order and inflection, or
"no heat") counts together with any of: a vulnerable person (a baby, someone elderly or
on medical equipment, someone 70 or older), distress (heat stroke, can't breathe), a
freeze or heat wave, or a temperature said in degrees that is dangerous indoors (55 °F
and below, 90 °F and above; outdoors 20 °F and below, 100 °F and above).
"""

from __future__ import annotations

import re

from text_to_num import alpha2digit

from runtime.conversation.hazard_signs import Sign
from runtime.conversation.hazard_words import Heard, Terms, near

NO_HEAT = "no_heat_in_freeze"
NO_COOLING = "no_cooling_in_extreme_heat"

INDOOR_COLD, INDOOR_HOT = 55, 90  # °F said of the house: dangerous at or beyond these
OUTDOOR_COLD, OUTDOOR_HOT = 20, 100  # °F said of the weather outside
ELDERLY_AGE, INFANT_AGE = 70, 2  # years

_HEATING = Terms.of(("heat", "heating", "heater", "furnace", "boiler", "heat pump"))
_COOLING = Terms.of(("ac", "a c", "air conditioner", "air conditioning", "central air",
                     "cooling", "heat pump", "air", "air con"))
_FAILED = Terms.of((
    "out", "quit", "died", "dead", "broke", "broken", "break", "stopped", "not working",
    "isnt working", "wont turn on", "wont come on", "doesnt work", "doesnt come on",
    "gave out", "failed", "is down", "went down", "been down", "shut off", "shut down",
    "conked out", "not coming on", "wont start", "stopped working", "lost", "gone",
    "no longer working", "not running", "wont run", "cut out", "off"))
_NO_HEAT = Terms.of(("no heat", "no heating", "without heat", "not heating", "isnt heating",
                     "wont heat", "blowing cold air", "blowing cold"))
_NO_COOLING = Terms.of(("no ac", "no a c", "no air", "no air conditioning", "no cooling",
                        "without ac", "without air", "not cooling", "isnt cooling",
                        "wont cool", "blowing hot air", "blowing warm air", "blowing hot"))
_CANT_KEEP = Terms.of(("cant keep", "cannot keep", "cant get", "unable to keep",
                      "wont stay", "not staying", "cant stay"))
_COOL = Terms.of(("cool", "cooled", "cold", "cooled down", "cool down"))
_WARM = Terms.of(("warm", "warmed", "warm up", "heated", "warmed up"))
_VULNERABLE = Terms.of((
    "newborn", "baby", "babies", "infant", "toddler", "elderly", "grandmother",
    "grandfather", "grandma", "grandpa", "granny", "oxygen", "medical equipment",
    "medical device", "medical condition", "ventilator", "dialysis", "cpap", "bipap",
    "disabled", "disability", "bedridden", "bed ridden", "wheelchair", "heart condition",
    "heart problems", "pregnant", "chemo", "chemotherapy", "hospice", "dementia", "copd",
    "special needs", "frail", "nursing home", "months old", "month old", "weeks old",
    "week old", "asthma", "senior citizen", "is sick", "are sick", "been sick", "very sick",
    "really sick", "sick kid", "sick kids", "sick child", "sick baby", "got sick",
    "ill", "illness", "cancer", "treatment", "treatments", "radiation", "surgery",
    "recovering", "immune", "immunocompromised", "transplant", "stroke", "diabetic",
    "diabetes", "heart failure", "kidney", "lung", "bed bound", "bedbound", "cant walk",
    "cant get up", "cant get out of bed", "paralyzed", "handicapped", "invalid",
    "alzheimers", "parkinsons", "multiple sclerosis", "als", "lupus", "feeble", "very weak",
    "feeling weak", "feels weak", "too weak", "getting weaker",
    "medically fragile", "elderly parent", "old man", "old woman", "old lady", "seniors",
    "premature", "preemie", "twins", "newborns", "not making sense", "confused",
    "disoriented", "delirious", "unresponsive", "wont wake up", "hard to wake",
    "not eating", "in a wheelchair", "hospice care", "home health", "caregiver", "hospital",
    "discharged", "feeding tube", "autism", "autistic", "seizures", "epilepsy"))
_DECADES = Terms.of(("80s", "90s", "eighties", "nineties"), exact=True)  # "eighty" stems alike
_DISTRESS = Terms.of((
    "heat stroke", "heatstroke", "heat exhaustion", "hypothermia", "cant breathe",
    "trouble breathing", "struggling to breathe", "hard to breathe", "passed out",
    "fainted", "dizzy", "shivering", "turning blue", "lethargic", "dehydrated", "fever"))
_FREEZE = Terms.of(("freezing", "below freezing", "below zero", "sub zero", "frozen pipes",
                    "pipes froze", "ice storm", "blizzard", "frostbite"))
_HEAT_WAVE = Terms.of(("heat wave", "heatwave", "triple digits", "over 100", "sweltering",
                       "extreme heat", "heat advisory", "boiling in here", "scorching"))

_TENS = {"twenty": "20", "thirty": "30", "forty": "40", "fifty": "50", "sixty": "60",
         "seventy": "70", "eighty": "80", "ninety": "90", "hundred": "100", "zero": "0"}
_TENS_WORDS = re.compile(r"\b(" + "|".join(_TENS) + r")\b")
_UNITS = frozenset({"degrees", "degree", "deg", "f", "fahrenheit"})
_INDOORS = frozenset({"here", "inside", "indoors", "house", "home", "bedroom", "upstairs",
                      "room", "apartment", "place", "condo", "unit", "trailer"})
_OUTDOORS = frozenset({"outside", "outdoors", "out"})
_NOT_DEGREES = frozenset({"year", "years", "month", "months", "week", "weeks", "day", "days",
                         "hour", "hours", "minute", "minutes", "dollars", "bucks", "percent",
                         "times", "feet", "foot", "gallon", "gallons", "amp", "amps",
                         "volts", "psi", "ton", "tons", "seer", "pounds"})
_MEASURED = frozenset({"temperature", "temp", "thermostat", "thermometer"})  # "... is 42"
_SETTING = frozenset({"set", "setting", "sets", "setpoint"})  # a
# thermostat set to 90 is no temperature of the house
_READINGS = frozenset({*_UNITS, *_MEASURED, "in", "inside", "indoors"})  # words with which a
# temperature of the house is said
_SCOPE_WORDS = 4  # words after a number that may say where the temperature is
_MEASURED_WORDS = 6  # words before it that may name what read it ("the thermometer in her
# room reads 96")
_RELATIVES = frozenset({"mom", "mother", "dad", "father", "husband", "wife", "parent",
                        "parents", "grandmother", "grandfather", "grandma", "grandpa", "aunt",
                        "uncle", "neighbor", "son", "daughter", "she", "he", "shes", "hes"})


def dangerous_climate(heard: Heard) -> Sign | None:
    """No heat or no cooling, made dangerous by who is in the house or how cold or hot it is."""
    heating = _lost(heard, _HEATING, _NO_HEAT) or _struggling(heard, _WARM)
    cooling = _lost(heard, _COOLING, _NO_COOLING) or _struggling(heard, _COOL)
    if not (heating or cooling or _READINGS.intersection(heard.words)):
        return None  # nothing failed, and no temperature could say so
    cold, hot = _temperature(heard.text, indoors_only=not (heating or cooling))
    rest = heard.without(heard.spans(_NO_HEAT) + heard.spans(_NO_COOLING))  # its "no" negates
    # nothing after it: "no heat newborn"
    at_risk = rest.heard(_VULNERABLE) or rest.heard(_DECADES) or rest.heard(_DISTRESS) \
        or _at_risk_age(heard.words)
    if at_risk and not (heating or cooling):  # the house at a dangerous temperature says
        heating, cooling = cold, hot  # the heating or cooling is not coping: "the
        # thermostat says 94 and my daughter is on a ventilator"
    if not (heating or cooling):
        return None
    cold = cold or heard.heard(_FREEZE)
    hot = hot or heard.heard(_HEAT_WAVE)
    if heating and (cold or (at_risk and not (cooling and hot))):
        return Sign(NO_HEAT, "no heat, " + ("cold" if cold else "someone at risk"))
    if cooling and (hot or at_risk):
        return Sign(NO_COOLING, "no cooling, " + ("hot" if hot else "someone at risk"))
    return None


def _lost(heard: Heard, equipment: Terms, outright: Terms) -> bool:
    return heard.heard(outright) or near(heard.spans(equipment, affirmed=False),
                                         heard.spans(_FAILED), 4)


def _struggling(heard: Heard, comfort: Terms) -> bool:
    """"we can't keep her cool", "the house won't stay warm": the equipment not coping."""
    return near(heard.spans(_CANT_KEEP, affirmed=False), heard.spans(comfort, affirmed=False), 3)


def _temperature(text: str, indoors_only: bool = False) -> tuple[bool, bool]:
    """(dangerously cold, dangerously hot) from temperatures said with degrees or a place
    ("40 degrees", "it's 45 in here", "10 below outside"); other numbers are not, nor, with
    `indoors_only`, the weather (with nothing failed, only the house's temperature says the
    heating or cooling is not coping)."""
    words = _TENS_WORDS.sub(lambda word: _TENS[word.group(1)], _in_digits(text)).split()
    cold = hot = False
    for position, word in enumerate(words):
        after = words[position + 1:position + 1 + _SCOPE_WORDS]
        if not word.isdigit() or (after and after[0] in _NOT_DEGREES):
            continue
        outdoors = any(later in _OUTDOORS for later in after)
        if outdoors and indoors_only:
            continue
        before = words[max(0, position - _MEASURED_WORDS):position]
        if _SETTING.intersection(before):
            continue
        measured = _MEASURED.intersection(before)
        below = after[:1] == ["below"]
        if not (measured or below or (after and after[0] in _UNITS) or outdoors
                or any(later in _INDOORS for later in after)):
            continue
        value = -int(word) if "below" in after[:2] else int(word)
        cold |= value <= (OUTDOOR_COLD if outdoors else INDOOR_COLD)
        hot |= value >= (OUTDOOR_HOT if outdoors else INDOOR_HOT)
    return cold, hot


def _in_digits(text: str) -> str:
    """Numbers said in words written in digits: "ninety two" → "92", "a hundred and
    fifteen" → "a 115" (text2num), "seven below" → "7 below"."""
    return str(alpha2digit(text, "en", threshold=0))


def _at_risk_age(words: list[str]) -> bool:
    """Someone 70 or older, or 2 or younger: "my 88 year old dad", "my mom is ninety one"."""
    words = _in_digits(" ".join(words)).split()
    for position, word in enumerate(words):
        if not word.isdigit() or ELDERLY_AGE > int(word) > INFANT_AGE:
            continue
        aged = words[position + 1:position + 3] in (["year", "old"], ["years", "old"])
        elderly = int(word) >= ELDERLY_AGE  # "she has 2 kids" is no toddler's age
        if aged or (elderly and _RELATIVES.intersection(words[max(0, position - 3):position])):
            return True
    return False
