"""Electrical dangers told as what the caller sees, hears or feels.

Wiring overheating shows before it burns: an outlet or a wall around it turning brown or
black, a panel buzzing or humming while it is hot or smells, something glowing or
sizzling in a box or wall, a flash or a bang from an outlet. People are shocked by
fixtures, taps, tubs and appliances ("the faucet gives us a tingle"), and the service
wires to the house come down, sag or are torn off it. A breaker that "pops" (trips), a
shocking bill and a static shock are ordinary.
"""

from __future__ import annotations

from runtime.conversation.hazard_words import Heard, Terms, near

WINDOW = 6  # words between a sign and what it is about
MARKS_WINDOW = 10  # "the switch made a pop and there is black marks on it now" (marks,
# flashes and bangs are said of wiring only)

_WIRED = Terms.of((
    "outlet", "outlets", "plug", "socket", "receptacle", "switch", "switches", "panel",
    "breaker", "breakers", "breaker box", "fuse box", "fuse", "electrical box",
    "junction box", "wire", "wires", "wiring", "cord", "light fixture", "fixture", "meter",
    "transformer", "gfci", "switch plate", "cover plate", "electrical", "light", "lights",
    "lamp", "charger", "dimmer"))
_POWERED = Terms.of((  # what flashes or bangs only when it fails ("the lights flash" flicker)
    "outlet", "outlets", "plug", "socket", "receptacle", "switch", "panel", "breaker box",
    "fuse box", "electrical box", "junction box", "wire", "wires", "wiring", "cord", "meter",
    "transformer", "electrical panel", "breaker panel"))
_DISCOLOURED = Terms.of((
    "turning black", "turned black", "gone black", "went black", "black marks",
    "black around", "blackening", "blackened", "turning brown", "turned brown", "browning",
    "browned", "brown marks", "discolored", "discoloured", "discoloration", "discolouration",
    "discoloring", "scorch", "scorched", "scorching", "scorch marks", "burn marks",
    "charred", "melted", "melting", "soot", "yellowed and hot", "darkening"))
_WARM = Terms.of(("hot", "warm", "heat", "smell", "smells", "smelling", "odor", "burning",
                  "burnt", "smoke", "smoking", "glow", "glowing", "sparks"))
_HUMMING = Terms.of(("buzz", "buzzing", "buzzes", "hum", "humming", "hums", "crackle",
                     "crackling", "crackles", "popping", "pops", "sizzle", "sizzling",
                     "snapping", "zapping", "arcing"))
_GLOWING = Terms.of(("glow", "glowing", "glows", "sizzling", "sizzle", "sizzles",
                     "crackling", "arcing"))
_IN_WALLS = Terms.of(("wall", "walls", "ceiling", "box"))
_FLASH = Terms.of(("flash", "flashed", "bang", "banged", "boom", "kaboom", "exploded",
                   "explosion", "blew up", "fireball", "ball of fire", "loud pop", "big pop",
                   "arc flash", "loud crack", "big crack", "loud snap", "crack and"))

_SHOCK = Terms.of(("shock", "shocks", "shocked", "shocking", "tingle", "tingles",
                   "tingling", "zap", "zaps", "zapped", "zapping", "jolt", "jolted",
                   "electrocuted", "buzzed me", "buzzed us", "buzzed him", "buzzed her",
                   "electricity go through", "electricity went through", "felt electricity",
                   "felt the electricity", "felt current", "felt a buzz", "current went through",
                   "got burned", "got burnt", "burned his", "burned her", "burned my",
                   "bit me", "bit my", "bit him", "bit her", "bites", "stung me"))
_TOUCHED = Terms.of((
    "touch", "touched", "touching", "faucet", "tap", "tub", "bathtub", "shower", "sink",
    "water", "fixture", "light", "switch", "outlet", "appliance", "washer", "dryer",
    "fridge", "refrigerator", "stove", "oven", "dishwasher", "microwave", "metal", "pipe",
    "pipes", "handle", "door handle", "railing", "pool", "hot tub", "panel", "plug",
    "lamp", "when i", "whenever", "every time"))
_ORDINARY_SHOCK = Terms.of(("static", "bill", "price", "prices", "cost", "quote",
                            "estimate", "in shock", "shocked at", "shocked by",
                            "shocked how", "shock absorber", "shocks and struts"))

_SERVICE_WIRES = Terms.of((
    "power line", "power lines", "service wire", "service wires", "service line",
    "service drop", "service cable", "overhead wire", "overhead wires", "overhead line",
    "electric line", "electric lines", "electrical line", "utility line", "utility lines",
    "line from the pole", "wire from the pole", "wires from the pole", "mast",
    "weatherhead", "wire", "wires", "lines to the house", "line to the house", "pole",
    "utility pole", "power pole", "line between the pole", "lines between the pole"))
_TORN_DOWN = Terms.of((
    "down", "fell", "fallen", "came down", "sagging", "sags", "drooping", "dangling",
    "ripped off", "ripped", "torn off", "tore off", "pulled off", "pulled down",
    "pulled the", "off the house", "off the side", "laying across", "lying across",
    "across the driveway", "across the yard", "across the road", "on the ground",
    "touching the ground", "to the ground", "snapped", "hanging", "low", "on my car",
    "leaning", "knocked over"))
_NOT_SERVICE = Terms.of(("cable", "phone", "internet", "tv", "speaker", "ethernet"),
                       exact=True)
_FENCING = Terms.of(("fence", "clothes"), exact=True)  # a fence wire, or where one landed
_FROM_THE_POLE = Terms.of((  # a wire said to be the service wire, wherever it landed
    "pole", "utility pole", "power pole", "power line", "power lines", "service wire",
    "service wires", "service line", "service drop", "service cable", "weatherhead", "mast"))

_CURRENT = Terms.of(("power", "electricity", "current", "voltage", "juice"))
_CARRIED = Terms.of(("going through", "running through", "coming through", "through the",
                     "through him", "through her", "through me", "in the water", "in the tub",
                     "in the pool", "into the water"))
_CONDUCTORS = Terms.of((  # what carries current into a person: electricity in the water
    "water", "tub", "bathtub", "hot tub", "pool", "spa", "shower", "faucet", "sink", "pipe",
    "pipes", "him", "her", "me", "us", "body"))
_NOT_A_CONDUCTOR = Terms.of(("water heater", "hot water heater", "water bill", "pool pump",
                             "pool light", "spa pack"))


def electrical_sign(heard: Heard) -> str | None:
    """"sparks_or_smoke", "shock_or_exposed_wires" or None."""
    wired = heard.spans(_WIRED, affirmed=False)
    if near(heard.spans(_DISCOLOURED), wired, MARKS_WINDOW) or _overheating(heard, wired):
        return "sparks_or_smoke"
    if near(heard.spans(_FLASH), heard.spans(_POWERED, affirmed=False), MARKS_WINDOW):
        return "sparks_or_smoke"
    if _shocked(heard) or _current_in_water(heard) or _wires_down(heard):
        return "shock_or_exposed_wires"
    return None


def _overheating(heard: Heard, wired: list[tuple[int, int]]) -> bool:
    """Buzzing or humming with heat or a smell; glowing or sizzling in a box or wall."""
    humming = heard.spans(_HUMMING)
    if near(humming, wired, MARKS_WINDOW) and heard.heard(_WARM):
        return True
    glowing = heard.spans(_GLOWING)
    return near(glowing, wired + heard.spans(_IN_WALLS, affirmed=False), WINDOW)


def _shocked(heard: Heard) -> bool:
    shocks = heard.spans(_SHOCK)
    if not shocks or near(shocks, heard.spans(_ORDINARY_SHOCK, affirmed=False), 3):
        return False
    return near(shocks, heard.spans(_TOUCHED, affirmed=False), WINDOW + 2)


def _current_in_water(heard: Heard) -> bool:
    """Electricity going through water or a person: "there's power going through the hot
    tub water", "the current went through him"."""
    current = heard.spans(_CURRENT)
    if not near(current, heard.spans(_CARRIED), 2):
        return False
    appliances = {position for start, end in heard.spans(_NOT_A_CONDUCTOR, affirmed=False)
                  for position in range(start, end)}
    conductors = [span for span in heard.spans(_CONDUCTORS, affirmed=False)
                  if span[0] not in appliances]
    return near(current, conductors, WINDOW)


def _wires_down(heard: Heard) -> bool:
    if heard.heard(_NOT_SERVICE) or (heard.heard(_FENCING) and not heard.heard(_FROM_THE_POLE)):
        return False
    return near(heard.spans(_SERVICE_WIRES, affirmed=False), heard.spans(_TORN_DOWN), WINDOW)
