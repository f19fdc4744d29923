"""Taking a message: what the caller needs, who they are, and where to call them back.

The company's prompt asks for all three at once; whatever the first answer leaves out is
asked next: the name (unless the caller is a known contact), then the callback number
(the caller id, confirmed, or another number they give). Each question is asked at most
twice, so nobody is trapped on the line: a name still missing stays empty and the
caller id stands as the number.
"""

from __future__ import annotations

import re
from enum import StrEnum

from runtime.conversation.booking_answers import is_no, is_yes, read_name, read_phone, spoken_phone
from runtime.conversation.context import CallContext
from runtime.conversation.outcome import TakeMessage
from runtime.conversation.state import ConversationState

ASK_NAME = "Thanks. And who should I say called?"
ASK_NAME_AGAIN = "Sorry, I didn't catch your name. Who should I say called?"
CONFIRM_NUMBER = "Is {number} the best number to call you back on?"
ASK_NUMBER = "What's the best number to call you back on?"
ASK_NUMBER_AGAIN = ("Sorry, I didn't get that number. Could you say it digit by digit, "
                    "with the area code?")

# "This is Pat", "my name is Pat Doe", "it's Lee": a capitalised name after an introduction
# (speech-to-text capitalises names; a lower-case word is more likely "this is urgent").
_INTRODUCED = re.compile(
    r"\b(?:my name is|my name's|name is|this is|it's|it is|i'm|i am|call me)\s+"
    r"([A-Z][a-z'’-]+(?:\s+[A-Z][a-z'’-]+)?)", re.IGNORECASE)
# "Pat, call me back about the furnace", "Pat here, ...": a name said first, set off by a
# comma or followed by "here".
_LEADING_NAME = re.compile(r"^\s*([A-Z][a-z'-]+(?:\s+[A-Z][a-z'-]+)?)(?:\s*,|\s+here\b)")
_NOT_NAMES = frozenset({
    "hi", "hello", "hey", "yes", "yeah", "yep", "no", "ok", "okay", "well", "so", "um", "uh",
    "please", "sure", "thanks", "sorry", "listen", "look", "actually", "basically", "anyway",
    "morning", "afternoon", "evening", "hmm", "right", "calling", "having", "looking",
    "trying", "just", "not", "about", "the", "a", "an", "my", "our", "urgent", "really",
    "very", "still", "here", "at", "from", "with", "going", "getting", "afraid", "worried",
    "wondering", "hoping", "it's", "i'm", "that's", "there's", "this", "it", "we", "i",
    "we're", "there", "that",
})
# A phone number inside free speech: ten or eleven digits, maybe grouped.
_SPOKEN_NUMBER = re.compile(r"\+?\d[\d\s().-]{8,16}\d")
_MAX_ASKS = 2


class Step(StrEnum):
    MESSAGE = "message"  # waiting for the message itself
    NAME = "name"
    NUMBER = "number"  # confirming the caller id
    DIGITS = "digits"  # another number, said digit by digit


def introduced_name(utterance: str) -> str | None:
    """The caller's name when they introduce themselves ("This is Pat at 12 Palm Road",
    "Pat, call me back")."""
    utterance = utterance.replace("’", "'")
    for match in _INTRODUCED.finditer(utterance):
        words = [word for word in match.group(1).split()
                 if word[0].isupper() and word.lower() not in _NOT_NAMES]
        if words and words[0] == match.group(1).split()[0]:
            return " ".join(words)
    leading = _LEADING_NAME.match(utterance)
    if leading and not {w.lower() for w in leading.group(1).split()} & _NOT_NAMES:
        return leading.group(1)
    return None


def spoken_number(utterance: str) -> str | None:
    """A callback number said within a longer sentence, in E.164."""
    for match in _SPOKEN_NUMBER.finditer(utterance):
        number = read_phone(match.group(0))
        if number is not None:
            return number
    return None


def begin(state: ConversationState) -> None:
    """The caller's next utterance is the message."""
    state.message_slots = {"step": Step.MESSAGE}


def take(state: ConversationState, ctx: CallContext, utterance: str) -> str | TakeMessage:
    """Follow the caller's answer: the next question to ask, or the message taken down."""
    slots = state.message_slots
    step = Step(slots.get("step", Step.MESSAGE))
    if step is Step.MESSAGE:
        slots["text"] = " ".join(
            part for part in (state.message_context, utterance.strip()) if part)
        known = ctx.contact.name.strip() if ctx.contact else ""
        slots["name"] = introduced_name(utterance) or known
        slots["number"] = spoken_number(utterance) or ""
    elif step is Step.NAME:
        slots["name"] = _answered_name(utterance) or ""
        slots["number"] = slots.get("number") or spoken_number(utterance) or ""
    elif step is Step.NUMBER:
        number = read_phone(utterance) or spoken_number(utterance)
        if number is None and is_no(utterance):
            return _ask(slots, Step.DIGITS, ASK_NUMBER)
        if number is None and not is_yes(utterance) and _asks(slots, Step.NUMBER) < _MAX_ASKS:
            return _ask(slots, Step.NUMBER, _confirm(ctx))
        slots["number"] = number or ctx.caller_number
    elif step is Step.DIGITS:
        number = read_phone(utterance) or spoken_number(utterance)
        if number is None and _asks(slots, Step.DIGITS) < _MAX_ASKS:
            return _ask(slots, Step.DIGITS, ASK_NUMBER_AGAIN)
        slots["number"] = number or ctx.caller_number
    return _next_question(slots, ctx) or _taken(state, ctx)


def _next_question(slots: dict[str, str], ctx: CallContext) -> str | None:
    if not slots.get("name") and _asks(slots, Step.NAME) < _MAX_ASKS:
        return _ask(slots, Step.NAME, ASK_NAME_AGAIN if _asks(slots, Step.NAME) else ASK_NAME)
    if not slots.get("number") and not ctx.number_verified:
        if read_phone(ctx.caller_number) is None:  # withheld or anonymous caller id
            if _asks(slots, Step.DIGITS) < _MAX_ASKS:
                return _ask(slots, Step.DIGITS, ASK_NUMBER)
        elif _asks(slots, Step.NUMBER) == 0:
            return _ask(slots, Step.NUMBER, _confirm(ctx))
    return None


def _taken(state: ConversationState, ctx: CallContext) -> TakeMessage:
    slots = state.message_slots
    state.message_slots = {}
    return TakeMessage(slots.get("text", ""), urgent=state.message_urgent,
                       caller_number=slots.get("number") or ctx.caller_number,
                       caller_name=slots.get("name", ""))


def _answered_name(utterance: str) -> str | None:
    introduced = introduced_name(utterance)
    if introduced is not None:
        return introduced
    name = read_name(utterance)
    return name if name and len(name.split()) <= 3 and not is_no(utterance) else None


def _confirm(ctx: CallContext) -> str:
    return CONFIRM_NUMBER.format(number=spoken_phone(ctx.caller_number))


def _asks(slots: dict[str, str], step: Step) -> int:
    return int(slots.get(f"asked_{step}", "0"))


def _ask(slots: dict[str, str], step: Step, question: str) -> str:
    slots["step"] = step
    slots[f"asked_{step}"] = str(_asks(slots, step) + 1)
    return question
