"""Hazards recognised from their signs, however the caller words them.

A phrase list knows "furnace is smoking"; a caller says "the air handler is smoking in the
closet". Here a hazard is a danger sign (smoke, a burning smell, sparks, flames, gas
smelled or hissing, water spraying or not stopping, sewage coming up, someone shocked)
heard in any inflection (`hazard_words`), and the equipment named near it only decides
whose safety lines are said: a smoking outlet gets the breaker advice, a smoking furnace
the HVAC advice, smoke from nowhere in particular "get everyone out and call 911".

Gas and carbon monoxide told as what the caller notices (an odorant, a hissing meter,
the household's symptoms) are `hazard_gas`'s; wiring overheating or shocking and service
wires down, `hazard_electric`'s. What only sounds like a hazard ("do you install smoke
detectors", "smells like burning dust" when the heat first comes on) is taken out before
(`hazard_lookalikes`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from runtime.conversation.hazard_electric import electrical_sign
from runtime.conversation.hazard_gas import carbon_monoxide_noticed, gas_noticed
from runtime.conversation.hazard_words import Heard, Span, Terms, near

WINDOW = 6  # words between a sign and what it is about
WATER_WINDOW = 8  # "a pipe froze and cracked and now it's spraying"
BROKEN_PIPE_WINDOW = 5  # "the water line under the sink cracked"
BLAST_WINDOW = 10  # "the furnace made a loud boom and there's soot everywhere"

# --- what a sign is about -----------------------------------------------------------------

_ELECTRICAL = Terms.of(("outlet", "plug", "socket", "receptacle", "switch", "panel",
                        "breaker", "fuse", "wire", "wiring", "cord", "electrical", "electric",
                        "light fixture", "meter", "power line", "transformer", "gfci",
                        "extension cord", "light", "lights", "charger", "fan", "ceiling fan",
                        "exhaust fan", "thermostat"))
_HVAC = Terms.of(("furnace", "heater", "air handler", "handler", "ac", "a c",
                  "air conditioner", "air conditioning", "unit", "vent", "vents", "duct",
                  "ducts", "blower", "heat pump", "compressor", "condenser", "boiler",
                  "hvac", "register", "registers", "attic unit", "mini split"))

# --- the danger signs ------------------------------------------------------------------

_SMOKE = Terms.of(("smoke", "smoking", "smoky", "smokey", "smoldering", "haze", "hazy",
                   "puffing smoke", "puffs of smoke"))
_SMELL = Terms.of(("smell", "smelling", "odor", "odour", "stink", "stench", "reek",
                   "whiff", "fumes"))
_BURNT = Terms.of(("burning", "burnt", "scorched", "melting", "charred"))
_ELECTRICAL_ODOUR = Terms.of((  # "a hot electrical smell", "smells like hot wiring"
    "electrical smell", "electric smell", "electrical odor", "electric odor",
    "electrical burning", "wiring smell", "electrical stink", "electric stink"))
_WIRING_SMELLED = Terms.of(("electrical", "electric", "wiring", "wires"))
ODOUR_WINDOW = 3  # "smells like something electrical"
_DAMAGED_BY_HEAT = Terms.of((  # said of wiring: an electrical fire starting
    "melting", "melted", "scorched", "scorch marks", "charred", "hot to the touch",
    "too hot to touch", "burn marks", "blackened", "burning up", "exploded", "blew up",
    "blown up", "smells hot", "smell hot", "hot smell", "crackling", "sizzling", "is hot",
    "are hot", "getting hot", "really hot", "very hot", "so hot"))
_BLAST = Terms.of(("soot", "puff back", "puffback", "exploded", "blew up", "blown up"))
_SMOKE_ALARM = Terms.of(("smoke alarm", "smoke detector", "fire alarm"))  # sounding ones
_SPARKS = Terms.of(("spark", "sparks", "sparking", "sparked", "arcing", "arced"))
_FLAMES = Terms.of(("fire", "flames", "flame", "ablaze", "blaze", "caught fire", "on fire",
                    "is burning", "are burning", "its burning", "something burning"), exact=True)
_CARBON_MONOXIDE = Terms.of(("carbon monoxide", "monoxide", "co alarm", "co detector",
                             "co sensor", "co2 alarm", "co2 detector", "c o alarm",
                             "c o detector", "leaking co", "co leak", "co leaking", "co poisoning",
                             "co levels", "co level", "co reading"))  # sounding alarms only:
# silent ones are taken out first (hazard_lookalikes)
_SULFUR = Terms.of(("sulfur", "sulphur", "rotten egg", "rotten eggs"))
_GAS = Terms.of(("gas", "natural gas", "propane", "methane"))
_GAS_ESCAPING = _SMELL + Terms.of(("leak", "leaking", "leaked", "hiss", "hissing",
                                    "whistling", "escaping", "blowing out", "coming out"))

_WATERWAYS = Terms.of(("water", "pipe", "pipes", "line", "toilet", "sink", "faucet", "tub",
                       "bathtub", "shower", "valve", "hose", "water heater", "washer",
                       "washing machine", "dishwasher", "fridge", "ceiling", "basement",
                       "main", "spigot", "tank", "drain", "sump pump", "water tank", "leak",
                       "wet", "puddle", "puddles"))
_WATER_OUT_OF_CONTROL = Terms.of((
    "spraying", "sprays", "spray", "gushing", "gush", "burst", "bursting", "pouring",
    "pours", "flooding", "flooded", "geyser", "shooting out", "blew off", "came off",
    "blown off", "blew", "blown", "shooting", "ruptured", "rupture", "exploded", "split open",
    "snapped", "raining", "spewing", "filling up", "filling with water", "let go", "rusted through",
    "rusted out", "dumping", "blasting", "jetting", "popped off", "came loose", "broke off",
    "snapped off", "gave way", "busted open", "emptying out", "rushing out", "river", "lake",
    "pond", "cant stop the water", "cant get the water off", "cant shut the water off",
    "cant turn the water off", "cant get the water to stop", "water wont stop"))
_PIPES = Terms.of(("pipe", "pipes", "water line", "supply line", "water main", "main line",
                   "line", "hose", "hoses", "supply hose", "fitting", "valve"))
_BROKE = Terms.of(("cracked", "broke", "broken", "split", "snapped", "busted", "blew",
                   "froze and", "came apart"))
_WATER_ESCAPING = Terms.of((  # not "running": a toilet that won't stop running is ordinary
    "running all over", "running across", "running everywhere", "running down", "running out",
    "coming from", "flowing", "keeps coming", "gushing",
                            "overflowing", "overflow", "overflowed", "leaking", "leak",
                            "leaks", "coming in", "coming out", "coming up", "coming down",
                            "coming through", "pooling", "spilling", "pouring"))
_NOT_STOPPING = Terms.of((
    "wont stop", "will not stop", "cant stop", "cant get it to stop", "doesnt stop",
    "not stopping", "wont shut off", "cant shut it off", "cant turn it off",
    "wont turn off", "keeps coming", "everywhere", "wont close", "will not close",
    "cant close", "cant get it closed", "wont shut", "stuck open", "keeps rising", "rising",
    "getting deeper", "like crazy", "really bad", "so bad", "like a faucet", "like a hose",
    "fast", "really fast", "so fast"))
_ALL_OVER = Terms.of(("all over",))
_PLACES = Terms.of(("floor", "floors", "ground", "house", "basement", "garage", "kitchen",
                    "bathroom", "room", "place", "laundry", "carpet", "hallway", "yard",
                    "crawlspace", "crawl space", "den", "office", "bedroom", "closet"))
_THROUGH = Terms.of(("through", "out of"))
_FROM_ABOVE = _THROUGH + Terms.of(("into", "from", "down"))
_SURFACES = Terms.of(("floor", "floors", "wall", "walls", "floorboards", "floor boards",
                      "drywall", "subfloor", "baseboard", "baseboards", "tile", "tiles"))
_OVERHEAD = Terms.of(("ceiling", "light fixture", "light", "lights", "ceiling fan"))
_SPREAD = Terms.of((  # water reaching other rooms
    "leaking downstairs", "dripping downstairs", "going downstairs", "coming downstairs",
    "to the downstairs", "into the downstairs", "over the downstairs", "down the stairs",
    "standing water",
    "room below", "floor below", "apartment below", "unit below", "downstairs neighbor",
    "next room", "into the hallway", "into the basement", "inch of water", "inches of water",
    "foot of water", "feet of water", "ankle deep", "knee deep", "shin deep", "waist deep",
    "inches deep", "inch deep", "feet deep", "foot deep", "inches in the", "feet in the",
    "under water", "underwater", "full of water", "filled with water", "filling with water",
    "still filling", "spreading", "spread to", "spreading to", "covered with water",
    "covered in water", "getting deeper", "keeps rising", "rising", "growing",
    "getting bigger"))
_DEPTH = Terms.of((  # water said by its depth is water out of control wherever it is
    "ankle deep", "knee deep", "shin deep", "waist deep", "inch of water", "inches of water",
    "foot of water", "feet of water", "inches deep", "inch deep", "feet deep", "foot deep"))
_NOT_WATER = Terms.of(("snow", "hole", "trench", "ditch", "leaves"))
_CEILING = Terms.of(("ceiling", "ceilings", "drywall"))
_GIVING_WAY = Terms.of(("bulging", "bulge", "sagging", "sag", "bowing", "caving",
                        "collapsing", "collapsed", "buckling", "falling in", "caved",
                        "falling down", "coming down", "falling apart", "crumbling"))
_SUMP = Terms.of(("sump pump", "sump", "sewage pump", "ejector pump", "pump"))
_A_FLOOD = Terms.of(("flood", "flooded", "flooding"))
_PUMP_FAILED = Terms.of(("quit", "died", "dead", "stopped", "failed", "broke", "not pumping",
                         "isnt pumping", "wont pump", "burned out", "burnt out", "not working",
                         "isnt working", "wont turn on", "stuck", "cant keep up"))
_COMING_IN = Terms.of(("coming in", "filling", "rising", "seeping in", "pouring in",
                       "taking on water", "taking in water",
                       "flooding", "getting in", "water in"))
_WATER = Terms.of(("water",))
_EVERYWHERE = Terms.of(("everywhere", "all over"))
_DRIPPING = Terms.of(("dripping", "drips", "drip", "raining"))
_FLOODED = Terms.of(("flooding", "flooded", "everywhere"))

_SEWAGE = Terms.of(("sewage", "raw sewage", "waste water", "wastewater", "poop", "feces",
                    "black water", "blackwater", "sewer water", "dirty water", "brown water",
                    "gray water", "grey water", "toilet water", "sludge", "human waste",
                    "black stuff", "brown stuff", "nasty water", "gross water", "gunk"))
_MANY_DRAINS = Terms.of(("toilets", "drains", "every drain", "every toilet", "cleanout",
                         "clean out", "floor drain"), exact=True)
_SEWER = _SEWAGE + Terms.of(("sewer", "septic", "main line", "main drain", "main sewer",
                             "sewer line"))
_BACKING_UP = Terms.of((
    "back up", "backing up", "backed up", "backs up", "backup", "backflow", "coming up",
    "came up", "bubbling up", "overflowing", "overflowed", "spewing", "geysering", "fills up",
    "filling up", "filled up", "bubbling out", "gurgling up", "pushing up", "welling up"))
_SPILT = _BACKING_UP + Terms.of((
    "flooding", "pouring", "spilling", "coming out", "coming in", "coming into", "all over",
    "everywhere", "in the basement", "on the floor", "in the tub", "in the shower",
    "in the yard", "into the house", "in the house", "on the ground", "in tub", "in bathtub",
    "in shower", "in basement", "on floor", "in sink", "in yard", "leaking", "seeping",
    "into the floor", "onto the floor"))

_WET = Terms.of(("water", "wet", "soaked", "soaking", "dripping", "leaking", "flooded",
                 "underwater", "rain"))
_WATER_THINGS = Terms.of(("water heater", "water softener", "water filter", "water pump",
                          "hot water", "water bill", "water line", "water pressure",
                          "water meter"))
_WIRED = Terms.of(("outlet", "outlets", "electrical outlet", "electric outlet", "wall outlet",
                   "electrical panel", "electric panel", "panel", "breaker box", "breaker panel",
                   "fuse box", "electrical box", "junction box", "light fixture", "socket",
                   "wiring", "meter", "switch"))

_POWER_LINES = Terms.of(("power line", "power lines", "electric line", "electrical line",
                        "service line", "service drop", "utility line", "line from the pole",
                        "wire from the pole", "wires from the pole"))
_FALLEN = Terms.of(("down", "fell", "fallen", "knocked down", "on the ground", "laying",
                    "lying", "hanging", "snapped", "came down", "sparking", "on my car",
                    "on the house", "on the roof"))
_SHOCKED = Terms.of(("got shocked", "get shocked", "getting shocked", "been shocked",
                     "shocked me", "shocks me", "shocking me", "shocked my", "shocked him",
                     "shocked her", "electrocuted", "zapped", "got a shock",
                     "electric shock", "got an electric shock", "live wire", "live wires",
                     "bare wires", "exposed wiring", "wires hanging", "wire hanging",
                     "got a jolt", "jolted", "felt a jolt", "felt a shock"))


@dataclass(frozen=True)
class Sign:
    """A label and a short note of what was heard, for logs."""

    label: str
    heard: str


_WIRING_PARTS = Terms.of((  # named anywhere, these say the sign is the wiring's
    "outlet", "outlets", "plug", "socket", "receptacle", "switch", "panel", "breaker",
    "breakers", "fuse", "fuse box", "wire", "wires", "wiring", "cord", "extension cord",
    "electrical", "gfci"))


def _about(heard: Heard, sign: list[Span], smelled: bool = False) -> str:
    """"electrical", "hvac" or "" for what the sign was said about: the equipment named
    near it; a smell (which fills a house) also wiring named anywhere, else HVAC equipment
    named anywhere (the sign's own words not counted: "a hot electrical smell" from the
    blower is the blower's)."""
    def named(terms: Terms) -> list[Span]:
        return [span for span in heard.spans(terms, affirmed=False)
                if not any(start <= span[0] < end for start, end in sign)]
    electrical, hvac = named(_ELECTRICAL), named(_HVAC)
    if near(sign, electrical, WINDOW):
        return "electrical"
    if near(sign, hvac, WINDOW):
        return "hvac"
    if not smelled:
        return ""
    if named(_WIRING_PARTS):
        return "electrical"
    return "hvac" if hvac else ""


_BY_SUBJECT = {  # (sign, what it is about) → label of a catalog or generic signal
    ("smoke", "electrical"): "sparks_or_smoke", ("smoke", "hvac"): "burning_smell_from_equipment",
    ("smoke", ""): "fire_or_smoke",
    ("burning", "electrical"): "burning_smell", ("burning", "hvac"): "burning_smell_from_equipment",
    ("burning", ""): "fire_or_smoke",
    ("flames", "electrical"): "sparks_or_smoke", ("flames", "hvac"): "fire_or_smoke",
    ("flames", ""): "fire_or_smoke",
}


def _burning(heard: Heard) -> list[Span]:
    burnt = heard.spans(_BURNT)
    smelled = burnt if near(burnt, heard.spans(_SMELL), WINDOW) else []
    damaged = heard.spans(_DAMAGED_BY_HEAT)
    on_wiring = damaged if near(damaged, heard.spans(_ELECTRICAL, affirmed=False), WINDOW) \
        else []
    return smelled + on_wiring + heard.spans(_ELECTRICAL_ODOUR) + _smells_of_wiring(heard)


def _smells_of_wiring(heard: Heard) -> list[Span]:
    """"smells like something electrical", "a smell of hot wires": the wiring after the
    smell ("the electric heater smells dusty" is the heater's)."""
    wiring = heard.spans(_WIRING_SMELLED, affirmed=False)
    return [(start, end) for smell_start, smell_end in heard.spans(_SMELL)
            for start, end in wiring if smell_end <= start < smell_end + ODOUR_WINDOW]


_SUBJECT_SIGNS: tuple[tuple[str, Callable[[Heard], list[Span]]], ...] = (
    ("flames", lambda heard: heard.spans(_FLAMES)), ("smoke", lambda heard: heard.spans(_SMOKE)),
    ("burning", _burning))


def _gas(heard: Heard) -> bool:
    """Gas smelled, leaking or hissing, or a sulfur smell (water smelling of eggs is taken
    out first)."""
    smell = heard.spans(_SMELL)
    return near(heard.spans(_GAS), heard.spans(_GAS_ESCAPING), WINDOW) or near(
        heard.spans(_SULFUR), smell, WINDOW)


def _water(heard: Heard) -> str | None:
    """Water out of control: spraying or bursting, spreading to other rooms, or escaping
    and not stopping ("overflowing and won't stop", "leaking all over the floor")."""
    waterways = heard.spans(_WATERWAYS, affirmed=False)
    through = heard.spans(_THROUGH, affirmed=False)
    from_above = heard.spans(_FROM_ABOVE, affirmed=False)
    spreading = heard.spans(_SPREAD) + (
        through if near(through, heard.spans(_SURFACES, affirmed=False), 3) else []) + (
        from_above if near(from_above, heard.spans(_OVERHEAD, affirmed=False), 4) else [])
    all_over = heard.spans(_ALL_OVER)
    not_stopping = heard.spans(_NOT_STOPPING) + (
        all_over if near(all_over, heard.spans(_PLACES, affirmed=False), 4) else [])
    escaping = heard.spans(_WATER_ESCAPING, affirmed=False)
    dripping = escaping + heard.spans(_DRIPPING, affirmed=False)
    overhead = heard.spans(_OVERHEAD, affirmed=False)
    spreading += dripping if near(dripping, overhead, 4) else []  # the ceiling dripping
    wild = heard.spans(_WATER_OUT_OF_CONTROL) + (
        heard.spans(_BROKE) if near(heard.spans(_BROKE), heard.spans(_PIPES, affirmed=False),
                                    BROKEN_PIPE_WINDOW) else [])
    water_everywhere = near(heard.spans(_WATER, affirmed=False), heard.spans(_EVERYWHERE), 3)
    if _giving_way(heard) or (heard.heard(_DEPTH) and not heard.heard(_NOT_WATER)) or near(
            heard.spans(_A_FLOOD), heard.spans(_PLACES, affirmed=False), 4):
        return "flooding"
    if water_everywhere or near(wild, waterways, WATER_WINDOW) or (
            waterways and (spreading or (escaping and not_stopping))):
        return "flooding" if spreading or heard.heard(_FLOODED) else "burst_pipe"
    return None


def _giving_way(heard: Heard) -> bool:
    """A ceiling bulging or sagging with water, or a failed sump pump letting water in."""
    water = heard.heard(_WATER) or heard.heard(_WET) or heard.heard(_WATER_ESCAPING)
    return (water and near(heard.spans(_CEILING, affirmed=False), heard.spans(_GIVING_WAY),
                           WINDOW)) or (
        near(heard.spans(_SUMP, affirmed=False), heard.spans(_PUMP_FAILED), WINDOW)
        and heard.heard(_COMING_IN))


def _wet_wiring(heard: Heard) -> bool:
    """Water on or in a panel, outlet or fixture (not "the water heater breaker")."""
    things = {position for start, end in heard.spans(_WATER_THINGS, affirmed=False)
              for position in range(start, end)}
    wet = [span for span in heard.spans(_WET) if span[0] not in things]
    return near(wet, heard.spans(_WIRED, affirmed=False), WINDOW)


def sign_of_hazard(heard: Heard) -> Sign | None:
    """The first hazard whose sign is heard (after `without_lookalikes`), or None."""
    if heard.heard(_CARBON_MONOXIDE) or carbon_monoxide_noticed(heard):
        return Sign("carbon_monoxide", "carbon monoxide")
    if _gas(heard) or gas_noticed(heard):
        return Sign("gas_smell", "gas escaping")
    if heard.heard(_SMOKE_ALARM):
        return Sign("fire_or_smoke", "smoke alarm")
    if near(heard.spans(_BLAST), heard.spans(_HVAC, affirmed=False), BLAST_WINDOW):
        return Sign("burning_smell_from_equipment", "soot or a blast")
    for name, find in _SUBJECT_SIGNS:
        spans = find(heard)
        if spans:
            subject = _about(heard, spans, smelled=name == "burning")
            return Sign(_BY_SUBJECT[(name, subject)], f"{name} {subject}".strip())
    if heard.heard(_SPARKS):
        return Sign("sparks_or_smoke", "sparks")
    backing_up = heard.spans(_BACKING_UP)
    if near(heard.spans(_SEWER) + heard.spans(_MANY_DRAINS), backing_up, WINDOW) or near(
            heard.spans(_SEWAGE), heard.spans(_SPILT), WINDOW):
        return Sign("sewage_backup", "sewage coming up")
    electrical = electrical_sign(heard)
    if electrical == "sparks_or_smoke":
        return Sign(electrical, "wiring overheating")
    if _wet_wiring(heard):  # before water: the breaker advice comes first
        return Sign("water_and_electricity", "water on wiring")
    water = _water(heard)
    if water is not None:
        return Sign(water, "water out of control")
    if heard.heard(_SHOCKED) or electrical is not None:
        return Sign("shock_or_exposed_wires", "shocked or wires down")
    if near(heard.spans(_POWER_LINES, affirmed=False), heard.spans(_FALLEN), WINDOW):
        return Sign("shock_or_exposed_wires", "power line down")
    return None
