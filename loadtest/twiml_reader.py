"""Read a TwiML voice `<Response>` the way Twilio does, into typed verbs.

The simulator executes these verbs; keeping the parsing here means the rules of the
document (defaults, URL resolution, what is malformed) live in one place and can be
tested without HTTP.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin


class MalformedTwiML(ValueError):
    """The document is not TwiML Twilio would run (Twilio answers it with error 12100)."""


@dataclass(frozen=True, slots=True)
class Say:
    text: str
    voice: str | None = None
    loop: int = 1


@dataclass(frozen=True, slots=True)
class Play:
    url: str
    loop: int = 1


@dataclass(frozen=True, slots=True)
class Pause:
    length: int = 1


Prompt = Say | Play | Pause
"""What may be nested in a `<Gather>`: played while Twilio listens."""


@dataclass(frozen=True, slots=True)
class Gather:
    action: str  # resolved; defaults to the URL of the document, as Twilio does
    method: str = "POST"
    input: tuple[str, ...] = ("dtmf",)
    speech_timeout: str | None = None  # "auto" or seconds, as written
    timeout: int = 5
    hints: tuple[str, ...] = ()
    action_on_empty_result: bool = False
    prompts: tuple[Prompt, ...] = ()

    @property
    def listens_for_speech(self) -> bool:
        return "speech" in self.input


@dataclass(frozen=True, slots=True)
class Dial:
    numbers: tuple[str, ...]  # <Number>/<Client>/<Sip> targets, or the verb's own text
    caller_id: str | None = None
    action: str | None = None
    method: str = "POST"
    timeout: int = 30


@dataclass(frozen=True, slots=True)
class Redirect:
    url: str
    method: str = "POST"


@dataclass(frozen=True, slots=True)
class Hangup:
    pass


@dataclass(frozen=True, slots=True)
class Reject:
    reason: str = "rejected"


@dataclass(frozen=True, slots=True)
class Connect:
    """`<Connect>` to a Stream or ConversationRelay: kept opaque (a WebSocket transport)."""

    target: str  # "Stream", "ConversationRelay", ...
    url: str | None
    attributes: dict[str, str] = field(default_factory=dict)


Verb = Say | Play | Pause | Gather | Dial | Redirect | Hangup | Reject | Connect

_DIAL_NOUNS = {"Number", "Client", "Sip", "Conference", "Queue", "Application"}
_METHODS = {"GET", "POST"}


def parse_twiml(document: str | bytes, document_url: str) -> tuple[Verb, ...]:
    """Parse a `<Response>`; relative URLs resolve against `document_url`, as in Twilio."""
    try:
        root = ET.fromstring(document)
    except ET.ParseError as exc:
        raise MalformedTwiML(f"not XML ({exc}) in the TwiML from {document_url}") from exc
    if root.tag != "Response":
        raise MalformedTwiML(f"root element is <{root.tag}>, expected <Response>")
    return tuple(_verb(element, document_url) for element in root)


def _verb(element: ET.Element, base: str) -> Verb:
    reader = _VERB_READERS.get(element.tag)
    if reader is None:
        raise MalformedTwiML(
            f"unknown or unsupported verb <{element.tag}> (supported: "
            f"{', '.join(sorted(_VERB_READERS))})"
        )
    return reader(element, base)


def _say(element: ET.Element, base: str) -> Say:
    # itertext() keeps the words inside SSML children such as <prosody> or <emphasis>.
    text = " ".join("".join(element.itertext()).split())
    return Say(text=text, voice=element.get("voice"), loop=_int(element, "loop", 1))


def _play(element: ET.Element, base: str) -> Play:
    return Play(url=_required_url(element, base), loop=_int(element, "loop", 1))


def _pause(element: ET.Element, base: str) -> Pause:
    return Pause(length=_int(element, "length", 1))


def _gather(element: ET.Element, base: str) -> Gather:
    prompts: list[Prompt] = []
    for child in element:
        verb = _verb(child, base)
        if not isinstance(verb, Say | Play | Pause):
            raise MalformedTwiML(f"<{child.tag}> cannot be nested in <Gather>")
        prompts.append(verb)
    return Gather(
        action=_url(element.get("action"), base) or base,
        method=_method(element),
        input=tuple(element.get("input", "dtmf").split()),
        speech_timeout=element.get("speechTimeout"),
        timeout=_int(element, "timeout", 5),
        hints=tuple(h.strip() for h in element.get("hints", "").split(",") if h.strip()),
        action_on_empty_result=_bool(element, "actionOnEmptyResult"),
        prompts=tuple(prompts),
    )


def _dial(element: ET.Element, base: str) -> Dial:
    numbers = [(child.text or "").strip() for child in element if child.tag in _DIAL_NOUNS]
    strays = [child.tag for child in element if child.tag not in _DIAL_NOUNS]
    if strays:
        raise MalformedTwiML(f"<{strays[0]}> cannot be nested in <Dial>")
    if not numbers and (element.text or "").strip():
        numbers = [(element.text or "").strip()]
    if not numbers or not all(numbers):
        raise MalformedTwiML("<Dial> has no number to call")
    return Dial(
        numbers=tuple(numbers),
        caller_id=element.get("callerId"),
        action=_url(element.get("action"), base),
        method=_method(element),
        timeout=_int(element, "timeout", 30),
    )


def _redirect(element: ET.Element, base: str) -> Redirect:
    return Redirect(url=_required_url(element, base), method=_method(element))


def _hangup(element: ET.Element, base: str) -> Hangup:
    return Hangup()


def _reject(element: ET.Element, base: str) -> Reject:
    return Reject(reason=element.get("reason", "rejected"))


def _connect(element: ET.Element, base: str) -> Connect:
    children = list(element)
    if len(children) != 1:
        raise MalformedTwiML("<Connect> must hold exactly one noun (Stream, ConversationRelay)")
    (target,) = children
    return Connect(target=target.tag, url=target.get("url"), attributes=dict(target.attrib))


_VERB_READERS: dict[str, Callable[[ET.Element, str], Verb]] = {
    "Say": _say,
    "Play": _play,
    "Pause": _pause,
    "Gather": _gather,
    "Dial": _dial,
    "Redirect": _redirect,
    "Hangup": _hangup,
    "Reject": _reject,
    "Connect": _connect,
}


def _url(value: str | None, base: str) -> str | None:
    value = (value or "").strip()
    return urljoin(base, value) if value else None


def _required_url(element: ET.Element, base: str) -> str:
    url = _url(element.text, base)
    if url is None:
        raise MalformedTwiML(f"<{element.tag}> has no URL")
    return url


def _method(element: ET.Element) -> str:
    method = element.get("method", "POST").upper()
    if method not in _METHODS:
        raise MalformedTwiML(f"<{element.tag} method={method!r}>: must be GET or POST")
    return method


def _int(element: ET.Element, name: str, default: int) -> int:
    raw = element.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise MalformedTwiML(f"<{element.tag} {name}={raw!r}>: not a whole number") from None


def _bool(element: ET.Element, name: str) -> bool:
    raw = element.get(name, "false").lower()
    if raw not in ("true", "false"):
        raise MalformedTwiML(f"<{element.tag} {name}={raw!r}>: must be true or false")
    return raw == "true"
