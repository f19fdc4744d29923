"""Spotting what a caller wants before any answering: danger, a person, goodbye, a choice.

Each detector is a phrase list checked on normalised text (see `text.find_phrase`, which
also ignores negated phrases such as "I don't smell gas").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from runtime.conversation.meaning import MeaningScores
from runtime.conversation.text import (
    asks_about_money,
    find_any,
    find_phrase,
    negated_before,
    normalize,
)
from tenancy.catalog import TRADE_CATALOG, EmergencySignal
from tenancy.catalog.intent_examples import GOODBYE
from tenancy.models import TradeCategory

# Dangers any trade company must react to, whatever trades it lists.
GENERIC_EMERGENCIES: tuple[EmergencySignal, ...] = (
    EmergencySignal(
        "fire_or_smoke",
        ("fire", "on fire", "flames", "house is full of smoke", "smoke everywhere",
         "smoke alarm is going off"),
        advice="If there is fire or heavy smoke, please get everyone out and call 911.",
    ),
    EmergencySignal(
        "gas_smell",
        ("smell gas", "smells like gas", "gas smell", "gas leak", "rotten eggs"),
        advice="If you smell gas, please leave the building now and call 911 or your gas "
        "utility once you're outside.",
    ),
    EmergencySignal(
        "carbon_monoxide",
        ("carbon monoxide", "co alarm", "co detector", "monoxide alarm"),
        advice="Please get everyone out into fresh air right away and call 911 if anyone "
        "feels sick.",
    ),
    EmergencySignal(
        "declared_emergency",
        ("this is an emergency", "its an emergency", "it is an emergency", "emergency situation",
         "i have an emergency", "we have an emergency"),
    ),
)

# Talking or speaking with anyone at all, however the person is named.
_PERSON_REQUEST = re.compile(
    r"\b(talk|speak|chat)\b (to|with) (someone|somebody|anyone|anybody|an actual|a real|"
    r"a live|a human|a person|one of your|your (staff|team|office|people)|whoever|"
    r"the (person|one|guy|lady|man|woman) (who|that))\b")

PERSON_REQUEST_PHRASES: tuple[str, ...] = (
    "talk to someone", "speak to someone", "talk to somebody", "speak to somebody",
    "talk to a person", "speak to a person", "real person", "live person", "a human",
    "talk to a human", "speak with a human", "representative", "operator", "talk to a manager",
    "speak to a manager", "speak with someone", "talk with someone", "customer service",
    "transfer me", "connect me", "put me through", "can i talk to", "can i speak to",
    "speak to the owner", "talk to the owner", "agent please", "someone i can talk to",
    "somebody i can talk to", "someone i can speak to", "speak with a person",
    # a person wanted instead of the automated agent ("i need a person not a machine")
    "not a machine", "not a robot", "not a computer", "not a recording", "not a bot",
)

MESSAGE_REQUEST_PHRASES: tuple[str, ...] = (
    "leave a message", "take a message", "call me back", "have someone call me",
    "someone call me back", "somebody call me back", "give me a call back",
)

# A call back asked for in the caller's own words: someone had, asked or wanted to call,
# ring or phone the caller ("have the office ring me back", "could you ask someone to give
# me a buzz"), or the caller's number left for it ("can i leave my number").
_CALLBACK = re.compile(
    r"\b(have|ask|get|tell|want|need|can|could|would) (someone|somebody|anyone|anybody|"
    r"the office|the owner|a manager|the manager|them|your \w+)(?: \w+){0,3}? "
    r"(call|ring|phone|buzz|get back to) me\b"
    r"|\bgive me a (call|ring|buzz)\b|\bleave (you )?(my|a) (name and )?(phone )?number\b")

GOODBYE_PHRASES: tuple[str, ...] = (
    "bye", "goodbye", "good bye", "bye bye", "thats all", "that is all", "thats it",
    "thats everything", "nothing else", "no thats all", "thank you goodbye", "have a good day",
    "have a nice day", "talk to you later", "hang up", "im done", "all set", "im all set",
)
_GOODBYE_MAX_WORDS = 8  # longer utterances that contain "bye" are still questions...
# ...unless they end by signing off and ask nothing ("okay ill try again in the morning
# thanks bye")
_SIGNING_OFF = re.compile(r"\b(bye|goodbye|bye bye|good bye)$")
_ASKS = re.compile(r"^(what|whats|when|where|how|why|which|who)\b"
                   r"|\b(do you|can you|could you|are you|is there|will you|would you)\b")
# A parting wish, however it is worded ("have a great day", "enjoy your weekend").
_PARTING_WISH = re.compile(
    r"\bhave an? (good|nice|great|wonderful|lovely|blessed|awesome) "
    r"(day|one|night|evening|afternoon|morning|weekend)\b"
    r"|\benjoy (your|the) (day|night|evening|afternoon|weekend|rest of your day)\b")
# A closing made only of thanks, acknowledgement and farewell words ("great thank you take
# care", "perfect thanks so much"): it asks nothing, so the caller is done. Every word must
# be one of these ("can you take care of my ac" is a request), and one must thank or part.
_THANKS_OR_FAREWELL_TEXT = "thanks thank thx appreciate appreciated bye goodbye care cheers later"
# ("thanks a bunch", "thanks a ton", "thanks a million")
_ACKNOWLEDGEMENT_TEXT = """ok okay alright allright right great perfect cool awesome wonderful
    excellent good nice fine sounds got it you so much very a lot again take have day one all
    that thats for the your help really then well oh bunch ton tons million"""
_THANKS_OR_FAREWELL = frozenset(_THANKS_OR_FAREWELL_TEXT.split())
_CLOSING_WORDS = _THANKS_OR_FAREWELL | frozenset(_ACKNOWLEDGEMENT_TEXT.split())

BOOKING_WORDS: tuple[str, ...] = ("schedule", "book", "appointment", "reschedule")
BOOKING_PHRASES: tuple[str, ...] = (
    *BOOKING_WORDS, "set up a visit", "send someone", "send a technician",
    "someone to come", "somebody to come", "someone come out", "somebody come out",
    "get someone out", "make an appointment", "repair visit", "service visit",
    "someone to look at", "somebody to look at", "someone to take a look", "plumber out",
    "electrician out", "technician out", "tech out", "to come install", "to come fix",
    "to come look", "set me up with", "set us up with", "pencil me in", "get me on the schedule",
    "a time for someone", "a time for somebody",
)
# A visit asked for in the caller's own words: someone (or a trade's worker) fetched or
# needed, then brought out ("can i get a plumber out here", "i need an electrician to come
# install some outlets"). Questions about the workers ("are your plumbers licensed") lack
# the asking verb or the coming.
_VISIT_REQUEST = re.compile(
    r"\b(get|send|need|have)\b(?: \w+){0,2}? (someone|somebody|a tech|a technician|"
    r"an? (plumber|electrician|hvac tech|hvac technician|ac tech))\b"
    r"(?: \w+){0,4}? (out|over|here|to come|come|to look|to check|to take a look|to fix)\b")
# A visit asked for as a job to see to, without a booking word: someone (or the company)
# asked to come and look at or check something ("can somebody come take a look at my water
# heater", "could you guys check my furnace").
_LOOK_REQUEST = re.compile(
    r"\b(can|could|would|will) (you|you guys|yall|someone|somebody|anyone|anybody|"
    r"one of your \w+|a tech|a technician|an? (plumber|electrician))\b"
    r"(?: (come|out|over|by|stop|swing|and))* (take a look|have a look|look at|look over|"
    r"check (my|the|our|on|out|it)|inspect|diagnose)\b")
# A visit asked for with a when: the caller asks the company to come (or to have something
# seen to) on a day or time ("can you guys come out friday", "id like to get my ac serviced
# sometime this week"), or asks when it can come ("whens your next available opening").
_WHEN = (r"(today|tonight|tomorrow|this (morning|afternoon|evening|week|weekend)|"
         r"next (week|\w+day)|\w+day|asap|as soon as possible|sometime|soonest|earliest)")
_DATED_VISIT = re.compile(
    r"\b(can|could|would|will) (you|yall|you guys|your \w+|someone|somebody|anyone|anybody|"
    r"an? \w+)\b"
    r"(?: \w+){0,2}? (come|stop|swing|drop) (out|by|over)\b.*\b" + _WHEN + r"\b"
    r"|\b(id like|i would like|i want|i need|i wanna|can i|could i)\b"
    r"(?: \w+){0,1}? (to )?(get|have) (my|the|our) \w+(?: \w+)? "
    r"(serviced|fixed|repaired|checked|looked at|tuned up|cleaned|installed)\b.*\b"
    + _WHEN + r"\b"
    r"|\b(i|we) (need|want|would like|d like)\b (a|an|someone|somebody)\b.*\b" + _WHEN + r"\b")
_OPENING = re.compile(
    r"\b(next|first|soonest|earliest) (available|open)\b"
    r"|\b(any|an|your) (availability|openings?|available (times?|slots?|appointments?))\b"
    r"|\bhave (anything|something) (open|available|free)\b.*\b" + _WHEN + r"\b"
    r"|\bavailable\b.*\b" + _WHEN + r"\b|\b" + _WHEN + r"\b.*\bavailable\b")

_YES = ("yes", "yeah", "yep", "sure", "please do", "ok", "okay", "go ahead", "that would be great")
_TRANSFER = ("transfer", "connect", "team member", "person", "someone", "talk to", "speak")
_MESSAGE = ("message", "leave a message", "take a message", "call me back", "callback")
_NO = ("no", "nope", "no thanks", "no thank you", "never mind", "nevermind", "im good")


class OfferChoice(StrEnum):
    TRANSFER = "transfer"
    MESSAGE = "message"
    DECLINE = "decline"
    OTHER = "other"


@dataclass(frozen=True)
class Emergency:
    label: str
    phrase: str
    advice: str


def emergency_signals(trades: Iterable[str]) -> tuple[EmergencySignal, ...]:
    """The company's trades' signals first, then the generic ones."""
    signals: list[EmergencySignal] = []
    for trade in trades:
        signals.extend(TRADE_CATALOG[TradeCategory(trade)].emergencies)
    return (*signals, *GENERIC_EMERGENCIES)


def detect_emergency(utterance: str, signals: Iterable[EmergencySignal]) -> Emergency | None:
    text = normalize(utterance)
    for signal in signals:
        phrase = find_any(text, signal.phrases)
        if phrase is None:
            continue
        if signal.context and find_any(text, signal.context) is None:
            continue
        return Emergency(signal.label, phrase, signal.advice)
    return None


def asks_for_person(utterance: str) -> bool:
    text = normalize(utterance)
    return find_any(text, PERSON_REQUEST_PHRASES) is not None or _unnegated(_PERSON_REQUEST,
                                                                           text)


def is_goodbye(utterance: str) -> bool:
    text = normalize(utterance)
    if len(text.split()) > _GOODBYE_MAX_WORDS:
        return _SIGNING_OFF.search(text) is not None and _ASKS.search(text) is None
    # "no that's it, thanks" is a goodbye: here "no" does not negate the phrase
    return any(find_phrase(text, phrase, allow_negated=True) for phrase in GOODBYE_PHRASES
               ) or _PARTING_WISH.search(text) is not None


def closes_call(utterance: str, scores: MeaningScores) -> bool:
    """Outside a booking or message: a closing by its words, or a short utterance whose
    meaning is a farewell (a longer one close to a farewell still says more)."""
    return is_closing(utterance) or (
        len(utterance.split()) <= _GOODBYE_MAX_WORDS and scores.means(GOODBYE))


def is_closing(utterance: str) -> bool:
    """A goodbye, or thanks and nothing else: outside a booking or message (where "ok
    thanks" answers a question) the caller is done."""
    said = set(normalize(utterance).split())
    return is_goodbye(utterance) or (
        bool(said & _THANKS_OR_FAREWELL) and said <= _CLOSING_WORDS)


def asks_for_message(utterance: str) -> bool:
    text = normalize(utterance)
    return find_any(text, MESSAGE_REQUEST_PHRASES) is not None or _unnegated(_CALLBACK, text)


def wants_booking(utterance: str) -> bool:
    """A visit asked for. A question about what a visit costs ("what would it cost to have
    somebody come out") asks for a price, not a visit, unless it names a booking outright."""
    text = normalize(utterance)
    if asks_about_money(text):
        return find_any(text, BOOKING_WORDS) is not None
    return find_any(text, BOOKING_PHRASES) is not None or any(
        _unnegated(pattern, text)
        for pattern in (_VISIT_REQUEST, _LOOK_REQUEST, _DATED_VISIT, _OPENING))


def _unnegated(pattern: re.Pattern[str], text: str) -> bool:
    """`pattern` occurs in the text and no negation just before it ("i dont want to talk
    to anyone": the rules start at the verb, so the window reaches past "want to")."""
    match = pattern.search(text)
    return match is not None and not negated_before(text[:match.start()], window=3)


def offer_choice(utterance: str) -> OfferChoice:
    """How the caller answered "shall I connect you or take a message?"."""
    text = normalize(utterance)
    if find_any(text, _MESSAGE):
        return OfferChoice.MESSAGE
    if find_any(text, _TRANSFER) or find_any(text, _YES):
        return OfferChoice.TRANSFER
    if text in {"no", "nope"} or find_any(text, _NO[2:]):
        return OfferChoice.DECLINE
    return OfferChoice.OTHER
