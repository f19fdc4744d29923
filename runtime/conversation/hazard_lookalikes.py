"""What only sounds like a hazard, taken out of an utterance before hazards are looked for.

Left out, so that neither the phrase lists nor the signs hear them:
- a device named without its alarm going off ("do you install smoke detectors", "my smoke
  detector keeps chirping"; a CO alarm chirping or beeping does count);
- "fire" that is no fire ("won't fire up", "fire pit", "is it a fire hazard"), gas that is
  no gas leak ("sewer gas", "gas water heater", "gas bill"), water that smells of eggs
  (the water heater's anode, not gas);
- a sign beside its ordinary cause ("smells like burning dust" when the heat first comes
  on, burnt toast, the igniter sparking, a yellow pilot flame) or said to be small ("leaking
  a little");
- what the caller asks about in a hypothetical ("how do I keep my pipes from bursting",
  "is it normal for the heat pump to smoke") and a clause about a recurring or long-past
  problem ("the basement floods every spring", "flooded a few years ago", "last time"), up
  to a new sentence about now (`hazard_sentences`; a marker in a question leaves out only
  the question, a year or age may name the equipment instead), unless the caller says it
  is happening now ("right now", "still", "is flooding", "theres water pouring") or names
  gas or carbon monoxide: with those, safety comes first;
- everything said up to a danger dealt with ("the gas company fixed it", "said it was
  fine", "it went away", "turned out to be"), to a new sentence about now, and how-often
  or how-to-prevent questions, even of gas or CO, unless the caller also reports a sign
  outside what the question asks about ("I smell gas, how do I keep the house from
  blowing up").
"""

from __future__ import annotations

import re

from runtime.conversation.hazard_gas import SOUNDING as CO_SOUNDING
from runtime.conversation.hazard_gas import SYMPTOMS
from runtime.conversation.hazard_sentences import next_sentence
from runtime.conversation.hazard_words import Heard, Span, Terms, near

_CAUSE_WINDOW = 8  # words between a sign and its ordinary cause

_ALARMS = ("detector", "detectors", "alarm", "alarms", "sensor", "sensors", "extinguisher",
           "sprinkler", "sprinklers")
_CO = ("co", "c o", "carbon monoxide", "monoxide", "co2")
_DEVICES = Terms.of(f"{kind} {device}" for kind in ("smoke", "fire", "gas", *_CO)
                    for device in _ALARMS)
_CO_DEVICES = Terms.of(f"{kind} {device}" for kind in _CO for device in _ALARMS)
_SOUNDING = Terms.of(("go off", "goes off", "going off", "went off", "sounding", "sounded",
                      "blaring", "screaming", "ringing", "wont stop beeping", "going crazy",
                      "going nuts", "freaking out", "wont shut up", "alarm is on",
                      "cant turn off", "cant shut off", "cant turn it off", "cant shut it off",
                      "cant get it to stop", "cant stop", "wont turn off", "wont stop"))
_CO_SOUNDING = CO_SOUNDING + Terms.of(("beep", "chirp", "reads", "detecting", "detected"))
_YEAR = re.compile(r"(?:19|20)\d\d")  # "flooded in 2019"
_BATTERY = Terms.of(("battery", "batteries", "end of life", "once a minute", "every minute",
                     "expired", "expiration"))  # a chirp asking for a battery, not CO
_READS = frozenset({"says", "say", "reads", "reading", "shows", "showing", "at"})
_GAS_OR_CO = Terms.of(("gas", "propane", *_CO))

_NOT_NOW = Terms.of((  # a recurring or a long-past problem is a service call ("every time
    # it rains", not "every time we flush": that is how it is now)
    "every time it", "every time we get", "every time there", "every spring", "every winter",
    "every summer", "every fall", "every year", "every day", "every night", "every week",
    "every month", "when it rains", "after it rains", "if it rains", "when it storms",
    "after a storm", "after heavy rain", "whenever it", "whenever we get", "whenever there",
    "sometimes", "usually", "each time it", "often", "once in a while", "from time to time",
    "last year", "last spring", "last summer", "last winter", "last week", "last month",
    "weeks ago", "years ago", "a while ago", "months ago", "last time", "time before",
    "happened before"))  # an earlier episode: "last time the basement flooded the plumber said"
_IN_PROGRESS = Terms.of((  # "the basement is flooding, it happened last year too": now
    f"{aux} {filler}{verb}"
    for aux in ("is", "are", "its", "theyre", "theres")
    for filler in ("", "still ", "just ", "all ", "really ", "now ", "water ", "smoke ",
                   "sparks ", "sewage ")
    for verb in ("flooding", "pouring", "gushing", "spraying", "spewing", "overflowing",
                 "sparking", "smoking", "burning", "shooting", "hissing")), exact=True)
_OLD_DAMAGE = Terms.of(("old leak", "old stain", "old water stain", "old water damage",
                        "old damage", "from before"))
_RESOLVED = Terms.of(("fine now", "went away", "gone now", "stopped now", "cleared up",
                      "all good now"))  # what was said up to here is past
_HAPPENING = Terms.of(("right now", "at the moment", "currently", "as we speak", "still",
                       "again"))
_SETTLED = Terms.of((  # a past danger already dealt with: even gas is a service call then
    "was fixed", "were fixed", "been fixed", "already fixed", "they fixed", "we fixed",
    "company fixed", "was repaired", "were repaired", "been repaired", "already repaired",
    "they repaired", "was patched", "was resolved", "took care of it", "was taken care of",
    "already replaced", "we replaced", "was replaced", "been replaced", "they replaced",
    "said its fine", "said it was fine", "said its safe", "said it was safe",
    "said everything is fine", "said everything was fine", "found nothing", "found no leak",
    "turned out to be", "turns out to be", "turned out it was", "turns out it was",  # explained
    *(f"{who} {did}" for who in ("utility", "plumber", "technician", "tech", "guy", "he", "she",
                                 "someone", "somebody", "landlord")
      for did in ("fixed", "repaired", "sealed", "patched"))))
_REPAIRED = Terms.of(("fixed", "repaired", "sealed", "patched", "took care of"))  # settled
# when told of a long-past danger: "we smelled gas last winter and they came and fixed it"
_LONG_PAST = Terms.of(("last year", "last spring", "last summer", "last winter", "last fall",
                       "last month", "weeks ago", "years ago", "a while ago", "months ago",
                       "a year ago", "a month ago"))
_ASKING = Terms.of((  # a question about a danger, unless the caller senses it ("what do I
    # do if I smell gas" stays an emergency)
    "signs of", "how do i know", "how can i tell", "how would i know", "how do you know",
    "symptoms of", "what does it smell like", "what should i do if", "what do i do if",
    "what happens if", "what to do if"))
_SENSED = Terms.of(("smell", "smelling", "smells", "hear", "hearing", "see", "seeing", "hiss",
                    "hissing", "here", "right now", "feel", "feeling", "stinks"))
_ADVICE = Terms.of((  # a question of how to prevent or how often: no danger reported
    "how often", "prevent", "preventing", "avoid", "protect", "how do i keep", "how can i keep",
    "how to keep", "how do we keep", "how long do", "how long does", "how long should",
    "if i ever", "if we ever", "if you ever", "if there is ever", "if theres ever"))
_LEAKING = Terms.of(("leak", "leaking", "leaks"))
_REPORTS = (_SENSED, _SOUNDING, CO_SOUNDING, SYMPTOMS, _LEAKING)  # what the caller says is so
_KEEPING_ASKED = Terms.of(("do to keep", "way to keep", "ways to keep"))
_KEEPING_REACH = 8  # words from the keeping to its "from"
_NOT_HAZARDS = Terms.of((
    "fire up", "fires up", "fired up", "firing up", "fire it up", "fire pit", "fire hazard",
    "fire code", "fire rated", "fire rating", "fire safety", "fire place", "fire wood",
    "fire inspection", "fire department", "fire dept", "fire marshal", "fire marshall",
    "fire inspector", "fire chief", "fire station", "sewer gas", "out of gas", "gas station",
    "gas mileage", "gas prices", "gas bill", "gas company", "flood zone", "flood insurance",
    "flood light", "flood lights", "floodlight", "flood plain", "flood cleanup", "fire risk",
    "fire danger", "fire trap", "firetrap", *(f"{low} {wire}" for low in (  # low voltage
        "thermostat", "doorbell", "speaker", "phone", "cable", "sprinkler", "alarm", "low voltage")
        for wire in ("wire", "wires", "wiring"))))
_GAS_APPLIANCES = Terms.of(f"gas {appliance}" for appliance in (  # "gas" alone is left out:
    "water heater", "hot water heater", "tank water heater", "heater", "furnace", "stove",
    "range", "oven", "dryer", "fireplace", "grill", "logs", "appliance", "appliances", "pack",
    "boiler"))  # the appliance still says whose it is

_SMELLED = Terms.of(("smell", "smells", "smelling", "stink", "stinks", "reek", "reeks", "odor"))
_SMELL_LIKE_WINDOW = 3
_EGGS = Terms.of(("rotten egg", "rotten eggs", "sulfur", "sulphur", "eggs"))
_WATER = Terms.of(("water", "tap", "faucet", "shower", "tub", "sink"))
_WATER_HEATER = Terms.of(("water heater", "water heaters", "hot water heater", "water tank"))

_SIGNS_WITH_CAUSES = (  # (a sign, ordinary causes that explain it away)
    (Terms.of(("burning", "burnt", "burn", "smoke", "smoking", "smoky")),
     Terms.of(("dust", "dusty", "toast", "food", "popcorn", "cooking", "cooked", "bacon",
               "candle", "incense", "cigarette", "steam", "defrost", "when it first",
               "first time we", "first time it", "in the fall", "start of the season",
               "each fall", "every fall", "for a minute", "for a few minutes"))),
    (Terms.of(("leak", "leaking", "leaks", "dripping", "drips", "seeping")),
     Terms.of(("a little", "a bit", "slightly", "small", "tiny", "slow", "minor", "barely"))),
    (Terms.of(("spark", "sparks", "sparking", "sparked")),
     Terms.of(("igniter", "ignitor", "ignition", "pilot", "spark plug", "lighter",
               "clicking", "clicks", "once", "when i unplug", "when i plug", "unplugging",
               "plug in", "plug it in", "plug something in", "plug anything in", "unplug",
               "pull the cord", "pull the plug", "pull it out", "pull out"))),  # a spark
    # as a plug goes in or out; its size alone explains nothing ("the switch throws little
    # sparks when I flip it")
    (Terms.of(("fire", "flames"), exact=True),
     Terms.of(("pilot", "candle", "candles", "fireplace", "gas log", "gas logs"))),
    (Terms.of(("flame",), exact=True),  # a burner's flame, its colour: "flames" are a fire
     Terms.of(("pilot", "candle", "fireplace", "gas log", "gas logs", "flame sensor",
               "flame rod", "burner", "yellow", "blue", "orange", "color", "colour"))),
)


# A question about a service, when the caller reports no trouble of their own, is no
# hazard at all ("do you install smoke detectors", "how much to replace a burst pipe", "do
# you clean up after sewage backups"; not "how much to fix a burst pipe, mine just went").
_INQUIRY = re.compile(
    r"^(?:(?:hi|hello|hey|yes|yeah|um|uh|so|ok|okay) )*(?:do|does|can|could) (?:you|your "
    r"(?:company|team)|y all)(?: guys)? (?:install|sell|offer|do|clean|check|inspect|test|"
    r"service|handle|carry|put in|replace|deal with)\b|^(?:how much|what do you charge|"
    r"what does it cost|whats the cost|what is the cost|what would it cost)\b")
_OWN_TROUBLE = frozenset({"my", "our", "mine", "ours", "i", "im", "ive", "we", "were",
                          "weve", "me", "us", "theres", "right", "now", "currently", "just",
                          "everywhere", "help", "hurry", "urgent", "asap"})


def asks_about_a_service(heard: Heard) -> bool:
    """A question about what the company does or charges, with no trouble of the caller's,
    nor a sentence about now after it ("how much does it usually cost the toilet is
    overflowing into the hallway": speech-to-text gives no full stop after "cost")."""
    return bool(_INQUIRY.search(heard.text)) and not _OWN_TROUBLE.intersection(
        heard.words) and next_sentence(heard, 1, len(heard.words)) == len(heard.words)


def without_lookalikes(heard: Heard) -> Heard:
    """The utterance less everything above."""
    smelled_before = {end + gap for _, end in heard.spans(_SMELLED, affirmed=False)
                      for gap in range(_SMELL_LIKE_WINDOW)}  # "smells like a gas stove"
    dropped = _silent_devices(heard) + heard.spans(_NOT_HAZARDS, affirmed=False) + [
        (start, start + 1) for start, _ in heard.spans(_GAS_APPLIANCES, affirmed=False)
        if start not in smelled_before]
    for sign, causes in _SIGNS_WITH_CAUSES:
        signs = heard.spans(sign, affirmed=False)
        if signs and near(signs, heard.spans(causes, affirmed=False), _CAUSE_WINDOW):
            dropped += signs
    dropped += _eggy_water(heard)
    if heard.heard(_HAPPENING) or _in_progress(heard):
        return heard.without(dropped) if dropped else heard
    urgent_kind = heard.spans(_GAS_OR_CO, affirmed=False)
    advice = heard.spans(_ADVICE, affirmed=False) + _prevention_asked(heard)
    if not heard.heard(_SENSED):
        advice += heard.spans(_ASKING, affirmed=False)
    advice = _reporting_nothing(heard, advice)
    settled = heard.spans(_SETTLED) + (heard.spans(_REPAIRED) if heard.heard(_LONG_PAST)
                                        else [])
    if urgent_kind and (settled or advice):
        urgent_kind = []
        dropped += [_with_purpose(heard, heard.clause(start)) for start, _ in advice]
    if not urgent_kind:
        settled = heard.spans(_RESOLVED) + [span for span in settled
                                            if not _describes_a_part(heard, span)]
        dropped += [(0, next_sentence(heard, end, heard.clause(start)[1]))
                    for start, end in settled]  # all said up to it, to a new sentence
        dropped += [(position, position + 1) for position in range(len(heard.words))
                    if heard.hypothetical(position)]
        past = heard.spans(_NOT_NOW, affirmed=False) + heard.spans(_OLD_DAMAGE, affirmed=False)
        repaired = {end + gap for _, end in heard.spans(_SETTLED) for gap in range(2)}
        past = [span for span in past if span[0] not in repaired  # "replaced last month"
                and not _installed_then(heard, span[0]) and not _felt_since(heard, span[0])]
        past += [(at, at + 1) for at, word in enumerate(heard.words) if _YEAR.fullmatch(word)
                 and not (at and heard.words[at - 1] in _NAMING) and not _installed_then(heard, at)]
        dropped += [_told_as_past(heard, span) for span in past]
    return heard.without(dropped) if dropped else heard


_ASKING_WORDS = frozenset({"how", "what", "whats", "hows"})  # "when" only before an
_AUXILIARIES = frozenset({"can", "could", "do", "does", "will", "would", "should", "is"})
# auxiliary: "when can you usually come", not "floods when it usually rains"
_ASKED_REACH = 6  # words from the question word to the marker ("how much does a plumber
# usually charge")


def _told_as_past(heard: Heard, marker: Span) -> Span:
    """The words a recurring or past marker says are not now: its clause up to a new
    sentence about now (`next_sentence`: "the outlet used to spark sometimes today it
    caught fire"), or, when the marker is in a question ("how soon can you usually get
    here", "what do you usually charge", "how often should it be serviced"), only the
    question. Such a marker speaks of the company's habits or the upkeep asked about, not of
    the report said before the question: without full stops "a pipe burst in the wall how
    soon can you usually get here" is one clause, and dropping it all dropped the burst
    pipe."""
    start, end = heard.clause(marker[0])
    end = next_sentence(heard, marker[1], end)
    for at in range(marker[0] - 1, max(start, marker[0] - _ASKED_REACH) - 1, -1):
        word = heard.words[at]
        if word in _ASKING_WORDS or (word == "when" and heard.words[at + 1] in _AUXILIARIES):
            return at, end
    return start, end


_NAMING = frozenset({"my", "our", "the", "a", "his", "her", "their", "your", "that",
                     "from"})  # before a year naming the equipment: "our 2008 water
# heater", "the panel from 1978"; it is no time of the trouble, which may be now
_INSTALLING = frozenset({"installed", "put", "bought", "built"})
_INSTALLING_REACH = 3  # "the heater they installed a few | years ago"


def _felt_since(heard: Heard, marker: int) -> bool:
    """"Ever since last winter we all get dizzy": symptoms felt since a time are felt now,
    and poisoning is no less dangerous for having gone on for months (a ceiling leaking
    since last winter is a service call)."""
    return heard.words[marker - 1:marker] == ["since"] and heard.heard(SYMPTOMS)


def _installed_then(heard: Heard, marker: int) -> bool:
    """A time said of putting the equipment in ("the furnace we put in in 2012", "the
    water heater they installed two years ago"), not of the trouble: what it is said of may
    be failing now."""
    return bool(_INSTALLING.intersection(heard.words[max(0, marker - _INSTALLING_REACH):marker]))


def _in_progress(heard: Heard) -> bool:
    """A danger said to be going on ("is flooding", "theres water pouring"), not supposed
    ("what do I do if the outlet is smoking")."""
    return any(not heard.hypothetical(start) for start, _ in heard.spans(_IN_PROGRESS))


def _reporting_nothing(heard: Heard, advice: list[Span]) -> list[Span]:
    """The advice questions, unless the caller also reports a sign (sensed, an alarm
    sounding, symptoms, a leak) anywhere but in what a question asks about: "I smell gas,
    how do I keep the house from blowing up", "is there a way to keep the smell of gas from
    getting worse", "how do I keep the kids from breathing it, it's leaking" ask for help
    with a danger; "what do I do if I ever smell gas", "how do I keep my furnace from
    leaking carbon monoxide" ask for advice."""
    if not advice:
        return advice
    asked = [_asked_about(heard, span) for span in advice]
    for terms in _REPORTS:
        for at, _ in heard.spans(terms):
            if not any(start <= at < end for start, end in asked):
                return []
    return advice


def _asked_about(heard: Heard, span: Span) -> Span:
    """The words an advice question asks about: after a keeping's "from" ("keep my boiler
    | from putting out carbon monoxide"), else from the question to its clause's end."""
    start, end = span
    if "keep" in heard.words[start:end]:
        start = _keeping_from(heard, end) or start
    return start, _with_purpose(heard, heard.clause(span[0]))[1]


def _prevention_asked(heard: Heard) -> list[Span]:
    """"What should I do to keep my boiler from putting out carbon monoxide", "is there a
    way to keep it from...": how to prevent, asked. Without a "from" after the keeping it
    is no such question ("what do I do to keep my family safe" while the alarm sounds)."""
    return [(start, end) for start, end in heard.spans(_KEEPING_ASKED, affirmed=False)
            if _keeping_from(heard, end) is not None]


def _keeping_from(heard: Heard, after: int) -> int | None:
    """Where the "from" of a keeping said up to `after` is ("keep my boiler | from ..."),
    if it comes within `_KEEPING_REACH` words."""
    reach = heard.words[after:after + _KEEPING_REACH]
    return after + reach.index("from") if "from" in reach else None


def _with_purpose(heard: Heard, clause: Span) -> Span:
    """A clause and the purpose clause after it: "how often should it be cleaned so it
    doesn't make carbon monoxide"."""
    start, end = clause
    if heard.words[end:end + 1] == ["so"]:
        end = heard.clause(end + 1)[1] if end + 1 < len(heard.words) else end + 1
    return start, end


def _eggy_water(heard: Heard) -> list[Span]:
    """"The hot water smells like rotten eggs": the water heater's anode, not gas (but the
    water heater itself smelling of eggs may be gas)."""
    heaters = {position for start, end in heard.spans(_WATER_HEATER, affirmed=False)
               for position in range(start, end)}
    water = [span for span in heard.spans(_WATER, affirmed=False) if span[0] not in heaters]
    eggs = heard.spans(_EGGS, affirmed=False)
    return eggs if eggs and near(eggs, water, _CAUSE_WINDOW) else []


def _describes_a_part(heard: Heard, settled: Span) -> bool:
    """"the heater that was replaced last month is leaking": the repair names the part, and
    what follows is happening now."""
    return heard.words[settled[0] - 1:settled[0]] in (["that"], ["which"], ["you"])


def _reads_a_number(heard: Heard) -> bool:
    """"the co detector says 200", "it's reading 45": a level, which a silent device has not."""
    return any(word in _READS and any(later.isdigit() for later in heard.words[at + 1:at + 3])
               for at, word in enumerate(heard.words))


def _silent_devices(heard: Heard) -> list[Span]:
    if heard.heard(_SOUNDING):
        return []
    co_sounding = (heard.heard(_CO_SOUNDING) and not heard.heard(_BATTERY)) or heard.heard(
        SYMPTOMS) or _reads_a_number(heard)
    co_devices = heard.spans(_CO_DEVICES, affirmed=False)
    return [span for span in heard.spans(_DEVICES, affirmed=False)
            if not (co_sounding and span in co_devices)]
