"""Spotting what a caller wants before any answering: danger, a person, goodbye, a choice.

Each detector is a phrase list checked on normalised text (see `text.find_phrase`, which
also ignores negated phrases such as "I don't smell gas").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from runtime.conversation.text import find_any, find_phrase, normalize
from tenancy.catalog import TRADE_CATALOG, EmergencySignal
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

PERSON_REQUEST_PHRASES: tuple[str, ...] = (
    "talk to someone", "speak to someone", "talk to somebody", "speak to somebody",
    "talk to a person", "speak to a person", "real person", "live person", "a human",
    "talk to a human", "speak with a human", "representative", "operator", "talk to a manager",
    "speak to a manager", "speak with someone", "talk with someone", "customer service",
    "transfer me", "connect me", "put me through", "can i talk to", "can i speak to",
    "speak to the owner", "talk to the owner", "agent please", "someone i can talk to",
    "somebody i can talk to", "someone i can speak to", "speak with a person",
)

MESSAGE_REQUEST_PHRASES: tuple[str, ...] = (
    "leave a message", "take a message", "call me back", "have someone call me",
    "someone call me back", "somebody call me back", "give me a call back",
)

GOODBYE_PHRASES: tuple[str, ...] = (
    "bye", "goodbye", "good bye", "bye bye", "thats all", "that is all", "thats it",
    "thats everything", "nothing else", "no thats all", "thank you goodbye", "have a good day",
    "have a nice day", "talk to you later", "hang up", "im done", "all set", "im all set",
)
_GOODBYE_MAX_WORDS = 8  # longer utterances that contain "bye" are still questions

BOOKING_PHRASES: tuple[str, ...] = (
    "schedule", "book", "appointment", "set up a visit", "send someone", "send a technician",
    "someone to come", "somebody to come", "someone come out", "somebody come out",
    "get someone out", "make an appointment", "reschedule", "repair visit", "service visit",
    "someone to look at", "somebody to look at", "someone to take a look", "plumber out",
    "electrician out", "technician out", "tech out", "to come install", "to come fix",
    "to come look",
)
# A visit asked for in the caller's own words: someone (or a trade's worker) fetched or
# needed, then brought out ("can i get a plumber out here", "i need an electrician to come
# install some outlets"). Questions about the workers ("are your plumbers licensed") lack
# the asking verb or the coming.
_VISIT_REQUEST = re.compile(
    r"\b(get|send|need|have)\b(?: \w+){0,2}? (someone|somebody|a tech|a technician|"
    r"an? (plumber|electrician|hvac tech|hvac technician|ac tech))\b"
    r"(?: \w+){0,2}? (out|over|to come|come)\b")

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
    return find_any(normalize(utterance), PERSON_REQUEST_PHRASES) is not None


def is_goodbye(utterance: str) -> bool:
    text = normalize(utterance)
    if len(text.split()) > _GOODBYE_MAX_WORDS:
        return False
    # "no that's it, thanks" is a goodbye: here "no" does not negate the phrase
    return any(find_phrase(text, phrase, allow_negated=True) for phrase in GOODBYE_PHRASES)


def asks_for_message(utterance: str) -> bool:
    return find_any(normalize(utterance), MESSAGE_REQUEST_PHRASES) is not None


def wants_booking(utterance: str) -> bool:
    text = normalize(utterance)
    return find_any(text, BOOKING_PHRASES) is not None or bool(_VISIT_REQUEST.search(text))


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
