"""Reading a caller's answers during a booking, and saying times and numbers back.

Each reader takes the raw utterance and returns the value, or None when the answer
does not fit (the flow then asks again with a hint).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from enum import StrEnum

from runtime.conversation.dates import parse_when
from runtime.conversation.text import find_any, find_phrase, normalize

YES = ("yes", "yeah", "yep", "yup", "sure", "correct", "right", "thats right", "that works",
       "sounds good", "perfect", "ok", "okay", "please do", "go ahead", "absolutely", "fine",
       "great", "it is", "that is", "good")
NO = ("no", "nope", "not really", "wrong", "thats not right", "incorrect", "not quite",
      "neither", "none", "dont work", "doesnt work", "cant do", "wont work")
_DIGIT_WORDS = {"zero": "0", "oh": "0", "one": "1", "two": "2", "three": "3", "four": "4",
                "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9"}
_NAME_PREFIX = re.compile(
    r"^(?:(?:yes|yeah|sure|ok|okay)\s+)?(?:my name is|my names|name is|this is|its|it is|"
    r"im|i am|call me|the name is)\s+"
)
_ADDRESS_PREFIX = re.compile(
    r"^(?:(?:yes|yeah|sure|ok|okay),?\s+)?(?:the address is|my address is|address is|"
    r"it[’']?s|it is|i live at|i[’']?m at|we are at|we[’']?re at|at)\s+", re.IGNORECASE,
)
_FIRST = ("first", "1st", "earlier", "earliest", "sooner", "former", "first one")
_SECOND = ("second", "2nd", "later one", "latter", "last one", "other one", "the later")
_EITHER = ("either", "any of", "whichever", "both work", "doesnt matter")
_DECLINE = ("neither", "none of", "no", "dont work", "doesnt work", "something else",
            "another time", "other times", "different time", "not those", "cant make",
            "wont work", "anything else")


MANAGE_PHRASES = ("my appointment", "my visit", "my booking", "cancel the appointment",
                  "when is the technician", "when are you coming", "existing appointment")
CANCEL_WORDS = ("cancel", "call off", "dont need")
MOVE_WORDS = ("reschedule", "move", "change", "different day", "different time", "push")
QUESTION_STARTS = ("what", "how", "do you", "does", "are you", "is there", "can you tell",
                   "will you", "where", "why", "which")
CHANGE_MARKERS = ("actually", "instead", "change", "rather", "can we do", "how about",
                  "what about", "different")
_REQUEST_WORDS = frozenset((
    "hi", "hello", "hey", "yes", "i", "id", "im", "we", "need", "want", "would", "like", "to",
    "a", "an", "the", "please", "can", "could", "you", "me", "my", "us", "for", "someone",
    "somebody", "visit", "service", "technician", "tech", "appointment", "schedule", "book",
    "set", "up", "get", "come", "out", "make", "call", "looking", "is", "it", "possible",
    "do", "have", "next", "available", "just", "so", "and", "some", "one", "time",
))


class Choice(StrEnum):
    FIRST = "first"
    SECOND = "second"
    DECLINE = "decline"
    UNCLEAR = "unclear"


def is_yes(utterance: str) -> bool:
    text = normalize(utterance)
    return find_any(text, YES) is not None and not is_no(utterance)


def is_no(utterance: str) -> bool:
    return find_any(normalize(utterance), NO) is not None or normalize(utterance) == "no"


def read_name(utterance: str) -> str | None:
    text = _NAME_PREFIX.sub("", normalize(utterance)).strip()
    words = [word for word in text.split() if word.isalpha()][:4]
    if not words or len(" ".join(words)) > 60:
        return None
    return " ".join(word.capitalize() for word in words)


def read_address(utterance: str) -> str | None:
    """A street address with a house number (the same rule the booking API applies)."""
    text = _ADDRESS_PREFIX.sub("", utterance.strip().rstrip(".")).strip()
    letters = sum(ch.isalpha() for ch in text)
    if not any(ch.isdigit() for ch in text) or letters < 3 or not 5 <= len(text) <= 300:
        return None
    return text


def read_phone(utterance: str) -> str | None:
    """A North American or international number in E.164, from digits or digit words."""
    tokens = normalize(utterance).split()
    digits = "".join(_DIGIT_WORDS.get(token, token if token.isdigit() else "")
                     for token in tokens)
    if utterance.strip().startswith("+") and 8 <= len(digits) <= 15:
        return f"+{digits}"
    if len(digits) == 10 and digits[0] not in "01":
        return f"+1{digits}"
    if len(digits) == 11 and digits[0] == "1":
        return f"+{digits}"
    return None


def offer_choice(utterance: str, offers: list[datetime]) -> Choice:
    """Which of the two offered times the caller took (or that they took neither)."""
    text = normalize(utterance)
    if find_any(text, _SECOND) and len(offers) > 1:
        return Choice.SECOND
    if find_any(text, _FIRST):
        return Choice.FIRST
    for index, offer in enumerate(offers):
        if re.search(rf"\b{spoken_clock(offer, short=True)}\b", text):
            return Choice.SECOND if index else Choice.FIRST
    if find_any(text, _DECLINE):
        return Choice.DECLINE
    if find_any(text, _EITHER) or is_yes(utterance):
        return Choice.FIRST
    return Choice.UNCLEAR


def spoken_clock(moment: datetime, *, short: bool = False) -> str:
    """"9 AM", "2:30 PM" (`short`: normalised form such as "9" or "2 30" for matching)."""
    hour = moment.hour % 12 or 12
    minutes = f":{moment.minute:02d}" if moment.minute else ""
    if short:
        return f"{hour} {moment.minute:02d}" if moment.minute else str(hour)
    return f"{hour}{minutes} {'AM' if moment.hour < 12 else 'PM'}"


def spoken_when(moment: datetime, now: datetime) -> str:
    """"today at 2 PM", "tomorrow at 9 AM", "Tuesday, December 8 at 10:30 AM"."""
    if moment.date() == now.date():
        day = "today"
    elif moment.date() == now.date() + timedelta(days=1):
        day = "tomorrow"
    else:
        day = f"{moment:%A}, {moment:%B} {moment.day}"
    return f"{day} at {spoken_clock(moment)}"


def spoken_phone(number: str) -> str:
    """"+12395557777" → "239-555-7777" (other numbers as they are)."""
    if number.startswith("+1") and len(number) == 12:
        return f"{number[2:5]}-{number[5:8]}-{number[8:]}"
    return number


def describes_the_job(text: str) -> bool:
    """More than a bare booking request: "book someone, my AC is blowing warm air"."""
    return len([word for word in text.split() if word not in _REQUEST_WORDS]) >= 2


def field_named(text: str, *, marked: bool) -> str | None:
    """Which detail the caller means ("the address"); `marked`: only if they also say
    they want it changed ("actually my address is wrong")."""
    if marked and not find_any(text, (*CHANGE_MARKERS, "wrong", "not right")):
        return None
    for field, words in (("address", ("address", "street")),
                         ("callbackNumber", ("number", "phone")),
                         ("name", ("name", "spelled")),
                         ("start", ("time", "day", "date", "when"))):
        # the detail's name, negated or not: in "no, the address is wrong" "no" is the answer
        if any(find_phrase(text, word, allow_negated=True) for word in words):
            return field
    return None


def changes_time(utterance: str, now: datetime) -> bool:
    """"Actually, can we do Thursday instead?" at any step: the caller wants another time."""
    text = normalize(utterance)
    return (find_any(text, CHANGE_MARKERS) is not None
            and field_named(text, marked=True) in (None, "start")
            and parse_when(utterance, now) is not None)
