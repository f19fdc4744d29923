"""What happened on one simulated call, and what Twilio would refuse along the way.

The simulator fills a `CallRecord`; tests, the `clientsvia call` CLI and the Locust load
test read it. The answer checks live here beside the errors they raise, so the rules of
"what Twilio accepts" (status codes, TwiML content types, WAV files) have one home.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import Literal, Self, TypeVar

import httpx

from loadtest.twiml_reader import MalformedTwiML, Verb, parse_twiml

WAV_CONTENT_TYPES = frozenset({"audio/wav", "audio/x-wav"})
TWIML_CONTENT_TYPES = frozenset({"text/xml", "application/xml", "text/html"})
WAV_ENCODINGS = {1: "pcm", 7: "mulaw", 6: "alaw"}

DialOutcome = Literal["completed", "no-answer", "busy"]
EndedBy = Literal["hangup", "caller", "error"]
RequestKind = Literal["setup", "gather", "redirect", "dial", "status"]
FetchKind = RequestKind | Literal["audio"]
"""Every kind of HTTP request Twilio makes on a call: TwiML and status webhooks, <Play> files."""


class SimulatedCallError(Exception):
    """Something Twilio would turn into an error for the caller; `record` is the call so far.

    `kind`, `seconds` and `request` say which request failed, after how long, and its
    recorded answer when one came; all None when the call's flow itself went wrong
    (a redirect loop, a Connect), so a load report can count failures per request kind.
    """

    def __init__(self, message: str, url: str | None = None) -> None:
        super().__init__(message)
        self.url = url
        self.record: CallRecord | None = None
        self.kind: FetchKind | None = None
        self.seconds: float | None = None
        self.request: WebhookRequest | None = None

    def on_request(self, kind: FetchKind, seconds: float) -> Self:
        """Blame this error on a request that got no usable answer."""
        self.kind, self.seconds = kind, seconds
        return self

    def on_answer(self, request: WebhookRequest) -> Self:
        """Blame this error on the answer to `request`, which Twilio would refuse."""
        self.kind, self.seconds, self.request = request.kind, request.seconds, request
        return self


class WebhookFailed(SimulatedCallError):
    """Non-2xx answer, transport failure, or no answer within Twilio's 15 s."""


class BadTwiML(SimulatedCallError):
    """The answer is not TwiML Twilio would run."""


class BadAudio(SimulatedCallError):
    """A <Play> URL did not serve a WAV file Twilio would play."""


class CallFlowError(SimulatedCallError):
    """The call went where Twilio would not follow: redirect loop, endless call, stray URL."""


@dataclass(frozen=True, slots=True)
class WebhookRequest:
    """One TwiML or status request: how long the server took to answer it."""

    kind: RequestKind
    method: str
    url: str
    status_code: int
    seconds: float


@dataclass(frozen=True, slots=True)
class AgentSaid:
    text: str
    voice: str | None


@dataclass(frozen=True, slots=True)
class AgentPlayed:
    url: str
    size: int
    fetch_seconds: float
    content_type: str
    encoding: str  # "mulaw", "pcm", ... from the WAV header
    sample_rate: int


@dataclass(frozen=True, slots=True)
class CallerSaid:
    text: str
    heard: bool  # False when the Gather did not listen for speech (input="dtmf")


@dataclass(frozen=True, slots=True)
class CallerSilent:
    """The caller let a Gather time out."""


@dataclass(frozen=True, slots=True)
class Transferred:
    numbers: tuple[str, ...]
    caller_id: str | None
    outcome: DialOutcome


@dataclass(frozen=True, slots=True)
class Redirected:
    url: str


CallEvent = (
    WebhookRequest | AgentSaid | AgentPlayed | CallerSaid | CallerSilent | Transferred | Redirected
)
_E = TypeVar("_E")


@dataclass(frozen=True, slots=True)
class RecordMark:
    """A point in a record, to read what one caller action added after it."""

    events: int
    errors: int


@dataclass(frozen=True, slots=True)
class FetchOutcome:
    """One HTTP request Twilio made, as a load report counts it; `error` None when it passed.

    `kind` None is a failure of the call's flow, not of any one request.
    """

    kind: FetchKind | None
    url: str
    seconds: float
    size: int
    error: SimulatedCallError | None


@dataclass
class CallRecord:
    """Everything that happened on one simulated call, in order."""

    call_sid: str
    events: list[CallEvent] = field(default_factory=list)
    errors: list[SimulatedCallError] = field(default_factory=list)
    ended_by: EndedBy | None = None
    status_callback_url: str | None = None  # None: no status callback configured

    def of_type(self, kind: type[_E]) -> list[_E]:
        return [event for event in self.events if isinstance(event, kind)]

    def agent_texts(self) -> list[str]:
        return [said.text for said in self.of_type(AgentSaid)]

    def caller_texts(self) -> list[str]:
        return [said.text for said in self.of_type(CallerSaid)]

    @property
    def transfers(self) -> list[Transferred]:
        return self.of_type(Transferred)

    @property
    def plays(self) -> list[AgentPlayed]:
        return self.of_type(AgentPlayed)

    @property
    def requests(self) -> list[WebhookRequest]:
        return self.of_type(WebhookRequest)

    @property
    def heard_audio(self) -> bool:
        return bool(self.plays)

    @property
    def heard_say(self) -> bool:
        return bool(self.of_type(AgentSaid))

    @property
    def setup_seconds(self) -> float | None:
        """Incoming-call webhook → greeting TwiML."""
        return next((r.seconds for r in self.requests if r.kind == "setup"), None)

    @property
    def turn_seconds(self) -> list[float]:
        """Every later TwiML request (Gather actions, Redirects, Dial actions)."""
        return [r.seconds for r in self.requests if r.kind not in ("setup", "status")]

    @property
    def ok(self) -> bool:
        return not self.errors

    def mark(self) -> RecordMark:
        return RecordMark(len(self.events), len(self.errors))

    def fetches_since(self, mark: RecordMark) -> list[FetchOutcome]:
        """Every request made after `mark`, each failed one carrying its error.

        Answered requests come first, in order, each with the error its answer caused
        if any; then requests that got no usable answer (timeout, refused connection,
        bad audio) and failures of the call's flow, each as its error alone.
        """
        errors = self.errors[mark.errors :]
        blamed = {id(error.request): error for error in errors if error.request is not None}
        outcomes: list[FetchOutcome] = []
        for event in self.events[mark.events :]:
            if isinstance(event, WebhookRequest):
                error = blamed.get(id(event))
                outcomes.append(FetchOutcome(event.kind, event.url, event.seconds, 0, error))
            elif isinstance(event, AgentPlayed):
                outcomes.append(
                    FetchOutcome("audio", event.url, event.fetch_seconds, event.size, None)
                )
        outcomes += [
            FetchOutcome(error.kind, error.url or "", error.seconds or 0.0, 0, error)
            for error in errors
            if error.request is None
        ]
        return outcomes


def require_2xx(response: httpx.Response, request: WebhookRequest) -> None:
    if not response.is_success:
        raise WebhookFailed(
            f"{request.url} answered HTTP {response.status_code}: {response.text[:200]!r}",
            request.url,
        ).on_answer(request)


def _media_type(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").split(";")[0].strip().lower()


def read_twiml(response: httpx.Response, request: WebhookRequest) -> tuple[Verb, ...]:
    """The verbs of a TwiML answer, or the error Twilio would give the caller instead."""
    require_2xx(response, request)
    url = request.url
    if _media_type(response) not in TWIML_CONTENT_TYPES:
        raise BadTwiML(
            f"{url} answered Content-Type {_media_type(response)!r}; Twilio runs TwiML only "
            f"from {sorted(TWIML_CONTENT_TYPES)}",
            url,
        ).on_answer(request)
    try:
        return parse_twiml(response.content, url)
    except MalformedTwiML as exc:
        raise BadTwiML(f"malformed TwiML from {url}: {exc}", url).on_answer(request) from exc


def read_wav(response: httpx.Response, url: str, seconds: float) -> AgentPlayed:
    """Check a <Play> download is a WAV file Twilio would play, and describe it."""
    try:
        return _describe_wav(response, url, seconds)
    except BadAudio as error:
        raise error.on_request("audio", seconds) from None


def _describe_wav(response: httpx.Response, url: str, seconds: float) -> AgentPlayed:
    if not response.is_success:
        raise BadAudio(f"<Play> {url} answered HTTP {response.status_code}", url)
    media_type = _media_type(response)
    if media_type not in WAV_CONTENT_TYPES:
        raise BadAudio(f"<Play> {url} served {media_type!r}, not audio/wav (error 13420)", url)
    body = response.content
    if body[:4] != b"RIFF" or body[8:12] != b"WAVE":
        raise BadAudio(f"<Play> {url} is labelled WAV but is not a RIFF/WAVE file", url)
    offset = 12
    while offset + 8 <= len(body):
        chunk_id = body[offset : offset + 4]
        (chunk_size,) = struct.unpack_from("<I", body, offset + 4)
        if chunk_id == b"fmt " and offset + 16 <= len(body):
            tag, _channels, rate = struct.unpack_from("<HHI", body, offset + 8)
            encoding = WAV_ENCODINGS.get(tag, f"format-{tag}")
            return AgentPlayed(url, len(body), seconds, media_type, encoding, rate)
        offset += 8 + chunk_size + (chunk_size & 1)
    raise BadAudio(f"<Play> {url}: WAV file without a fmt chunk", url)
