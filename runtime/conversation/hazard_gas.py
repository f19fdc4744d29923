"""Gas and carbon monoxide, recognised from what callers notice rather than from the words
"gas leak" or "carbon monoxide alarm".

Gas is smelled as its odorant (rotten eggs, sulfur, a skunk, "like a burner was left on"),
heard hissing or whooshing at a meter, line or tank, or known from a line or meter that was
hit, dug into or bent. Carbon monoxide is an alarm however it is named ("the c o thing",
"carbon mono oxide", a detector "saying evacuate") or, with no alarm at all, the poisoning
itself: several of the household sick in its ways (headaches, nausea, drowsiness,
confusion) while something burns fuel.
"""

from __future__ import annotations

from runtime.conversation.hazard_words import Heard, Span, Terms, near

WINDOW = 6  # words between a sign and what it is about
FITTING_WINDOW = 10  # "the meter on the side of the house is making a whooshing noise"
SYMPTOMS_TOGETHER = 2  # distinct symptoms that say poisoning even of one person

_SMELL = Terms.of(("smell", "smelling", "smells", "odor", "odour", "stink", "stinks",
                   "stench", "reek", "whiff", "fumes", "scent"))
_ODORANT = Terms.of(("sulfur", "sulphur", "rotten egg", "rotten eggs", "eggs", "bad eggs",
                     "skunk", "skunky",
                     "mercaptan", "burner was left on", "burner left on", "stove was left on",
                     "stove left on", "left the stove on", "left a burner on",
                     "left the burner on", "oven was left on"))
_GAS_FITTINGS = Terms.of(("gas meter", "meter", "gas line", "gas lines", "gas pipe",
                          "gas pipes", "gas main", "propane tank", "propane line",
                          "propane tanks", "regulator", "gas valve", "gas service",
                          "gas hookup", "gas connection", "gas supply", "gas riser"))
_OTHER_METERS = Terms.of(("water meter", "electric meter", "power meter", "electrical meter"))
_BURIED_FITTINGS = Terms.of(("gas line", "gas lines", "gas pipe", "gas main", "gas meter",
                             "propane line", "propane tank", "gas service", "gas riser"))
_RUSHING = Terms.of(("hiss", "hissing", "hisses", "whoosh", "whooshing", "blowing",
                     "whistling", "rushing", "roaring", "leaking", "leak", "spewing",
                     "escaping", "coming out", "frosted", "frosting", "iced over"))
_GAS = Terms.of(("gas", "propane", "natural gas"), exact=True)
_GAS_ESCAPING = _RUSHING + _SMELL
_HIT = Terms.of(("hit", "dug into", "dug up", "digging", "cut", "cut into", "nicked",
                 "severed", "punctured", "bent", "snapped", "broke", "broken", "cracked",
                 "ruptured", "damaged", "knocked", "backed into", "ran into", "ran over",
                 "ripped", "pulled"))

_CO_NAMES = Terms.of(("co", "c o", "co2", "co 2", "co two", "see oh", "monoxide", "mono oxide",
                      "carbon dioxide", "carbon mono oxide", "carbon monoxides"), exact=True)
_DEVICES = Terms.of(("alarm", "alarms", "detector", "detectors", "sensor", "sensors",
                     "monitor", "thing", "beeper", "device", "plug in", "unit on the wall"))
SOUNDING = Terms.of((
    "go off", "goes off", "going off", "went off", "sounding", "sounded", "blaring",
    "screaming", "screeching", "ringing", "beeping", "beeps", "chirping", "wailing",
    "going crazy", "going nuts", "freaking out", "wont stop", "reading", "flashing",
    "yelling", "warning", "evacuate", "both going", "all going", "keeps going",
    "been going", "still going"))  # not "says" ("it says end of life"), not "alarming"
# (stems as "alarm": "hook it up to the alarm system")
_MEASURED = Terms.of(("high", "levels", "level", "reading", "readings", "ppm",
                      "parts per million", "detected", "in the air", "in the house"))
_SPOKEN_WARNING = Terms.of(("evacuate", "warning warning", "saying warning",
                            "says warning", "move to fresh air", "get out", "danger"))

SYMPTOMS = Terms.of((
    "headache", "headaches", "head hurts", "heads hurt", "head pounding", "nausea",
    "nauseous", "nauseated", "throwing up", "threw up", "vomiting", "vomit", "sick to",
    "feel sick", "feels sick", "feeling sick", "dizzy", "dizziness", "lightheaded",
    "light headed", "drowsy", "sleepy", "groggy", "tired", "sick", "woozy", "exhausted",
    "confused", "confusion", "cant wake", "wont wake up", "hard to wake", "passed out",
    "fainted", "out of it", "foggy"))
_SEVERAL = Terms.of(("we", "were", "us", "everyone", "everybody", "all of us", "the kids",
                     "my kids", "family", "both", "and i", "me and", "all", "whole house",
                     "and my", "the dog", "our dog"), exact=True)
_BURNING_FUEL = Terms.of((
    "furnace", "boiler", "heater", "space heater", "gas", "propane", "stove", "oven",
    "generator", "fireplace", "water heater", "kerosene", "wood stove", "car running",
    "grill", "chimney", "flue"))
_HEAT = Terms.of(("heat", "heating"))  # the heating said as running: "since the heat came on"
_RUNNING = Terms.of(("on", "running", "going", "kicked", "kicks", "started", "cranked",
                     "blasting"), exact=True)
RUNNING_WINDOW = 3  # "the heat has been running", "turned on the heat"
_NO_FUEL = Terms.of(("heat pump", "heat pumps", "heat wave", "heat stroke", "heat exhaustion"))
_STOPPED = Terms.of(("out", "quit", "died", "stopped", "broke", "broken", "not working",
                     "isnt working", "wont", "dead", "off"))  # no heat: hazard_climate's


def gas_noticed(heard: Heard) -> bool:
    """The odorant smelled, gas heard escaping at a fitting, or a gas line or meter hit."""
    odorant = heard.spans(_ODORANT)
    if near(odorant, heard.spans(_SMELL), WINDOW) or near(
            odorant, heard.spans(Terms.of(("like", "of"), exact=True)), 2):
        return True
    other_meters = {end - 1 for _, end in heard.spans(_OTHER_METERS, affirmed=False)}
    fittings = [span for span in heard.spans(_GAS_FITTINGS, affirmed=False)
                if span[0] not in other_meters]
    if near(heard.spans(_GAS), heard.spans(_GAS_ESCAPING), FITTING_WINDOW):
        return True  # "a loud hiss outside by the box where the gas comes in"
    return near(fittings, heard.spans(_RUSHING), FITTING_WINDOW) or near(
        heard.spans(_BURIED_FITTINGS, affirmed=False), heard.spans(_HIT), WINDOW)


def carbon_monoxide_noticed(heard: Heard) -> bool:
    """A CO alarm sounding however named, a detector speaking its warning, or the household
    sick in the ways CO makes people sick while fuel burns."""
    devices = heard.spans(_DEVICES, affirmed=False)
    if near(heard.spans(_CO_NAMES), devices + heard.spans(SOUNDING), WINDOW) and (
            heard.heard(SOUNDING)):
        return True
    if near(devices, heard.spans(_SPOKEN_WARNING), WINDOW):
        return True
    co_named = heard.spans(_CO_NAMES)
    if co_named and (heard.heard(SYMPTOMS) or near(co_named, heard.spans(_MEASURED), WINDOW)):
        return True  # "we might have a co problem, everybody has a headache"
    return _poisoned(heard)


def _poisoned(heard: Heard) -> bool:
    symptoms = {heard.words[start] for start, _ in heard.spans(SYMPTOMS)}
    if not symptoms:
        return False
    several = heard.heard(_SEVERAL) or len(symptoms) >= SYMPTOMS_TOGETHER
    fuel = heard.spans(_BURNING_FUEL, affirmed=False) + _heating_running(heard)
    burning = fuel and not near(fuel, heard.spans(_STOPPED, affirmed=False), 4)
    return several and bool(burning)


def _heating_running(heard: Heard) -> list[Span]:
    """"The heat" or "the heating" said to be on or running ("since we turned the heat on",
    "ever since the heating came on"): in most homes a furnace or boiler, burning fuel. A
    heat pump burns none, and the weather's heat ("dizzy from the heat") is not said to run."""
    no_fuel = {start for start, _ in heard.spans(_NO_FUEL, affirmed=False)}
    heat = [span for span in heard.spans(_HEAT, affirmed=False) if span[0] not in no_fuel]
    running = heard.spans(_RUNNING)
    return [span for span in heat if near([span], running, RUNNING_WINDOW)]
