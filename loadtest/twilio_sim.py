"""A simulated caller that drives our voice webhooks exactly as Twilio would.

Every request is signed with `X-Twilio-Signature` over the *public* URL (the server checks
against PUBLIC_BASE_URL), carries Twilio's form parameters, and must answer within
Twilio's 15 s. The TwiML that comes back is executed verb by verb, so end-to-end tests,
the Locust load test and the `clientsvia call` CLI all exercise the server the way a real
phone call does.
"""

from __future__ import annotations

import asyncio
import math
import secrets
import struct
import time
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Literal, TypeVar
from urllib.parse import quote, urlencode

import httpx
from twilio.request_validator import RequestValidator

from loadtest.twiml_reader import (
    Connect,
    Dial,
    Gather,
    Hangup,
    MalformedTwiML,
    Pause,
    Play,
    Redirect,
    Reject,
    Say,
    Verb,
    parse_twiml,
)

TWILIO_RESPONSE_LIMIT_S = 15.0  # then Twilio plays an application error to the caller
TWILIO_CONNECT_LIMIT_S = 10.0
MAX_REDIRECTS_IN_A_ROW = 10
MAX_TWIML_REQUESTS = 50  # per call: keeps a looping server from running forever
ANSWERED_DIAL_SECONDS = 30  # DialCallDuration reported when the transfer was answered
WAV_CONTENT_TYPES = frozenset({"audio/wav", "audio/x-wav"})
TWIML_CONTENT_TYPES = frozenset({"text/xml", "application/xml", "text/html"})
WAV_ENCODINGS = {1: "pcm", 7: "mulaw", 6: "alaw"}

DialOutcome = Literal["completed", "no-answer", "busy"]
EndedBy = Literal["hangup", "caller", "error"]
RequestKind = Literal["setup", "gather", "redirect", "dial", "status"]


class SimulatedCallError(Exception):
    """Something Twilio would turn into an error for the caller; `record` is the call so far."""

    def __init__(self, message: str, url: str | None = None) -> None:
        super().__init__(message)
        self.url = url
        self.record: CallRecord | None = None


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


class TwilioCallSimulator:
    """Places simulated inbound calls against a server at `base_url`.

    `public_base_url` is what the server believes its address is (PUBLIC_BASE_URL): URLs
    are signed in that form, and absolute URLs in TwiML must use it, as Twilio only ever
    sees the public address.
    """

    def __init__(
        self,
        base_url: str,
        auth_token: str,
        *,
        public_base_url: str | None = None,
        http: httpx.AsyncClient | None = None,
        account_sid: str | None = None,
        raise_on_error: bool = True,
        response_limit_s: float = TWILIO_RESPONSE_LIMIT_S,
        max_twiml_requests: int = MAX_TWIML_REQUESTS,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.public_base_url = (public_base_url or base_url).rstrip("/")
        self.account_sid = account_sid or new_sid("AC")
        self.raise_on_error = raise_on_error
        self.response_limit_s = response_limit_s
        self.max_twiml_requests = max_twiml_requests
        self._validator = RequestValidator(auth_token)
        self._owns_http = http is None
        self._http = http or httpx.AsyncClient()

    async def start(
        self,
        *,
        to: str,
        from_: str,
        company_id: str | None = None,
        dial_outcome: DialOutcome = "no-answer",
        status_callback: bool = True,
        status_callback_url: str | None = None,
    ) -> LiveCall:
        """Ring the server and play the greeting; the call then waits at its first Gather.

        company_id None calls `/api/twilio/voice` (company found from `To`); the status
        callback goes to `status_callback_url` (a path under the public base, or absolute),
        else `/api/twilio/status/{company_id}`, else nowhere (like a number with no
        StatusCallback configured).
        """
        entry = "/api/twilio/voice"
        if company_id is not None:
            company = quote(company_id, safe="")
            entry = f"/api/twilio/webhook/{company}"
            status_callback_url = status_callback_url or f"/api/twilio/status/{company}"
        if status_callback_url and "://" not in status_callback_url:
            status_callback_url = self.public_base_url + status_callback_url
        if not status_callback:
            status_callback_url = None
        record = CallRecord(call_sid=new_sid("CA"), status_callback_url=status_callback_url)
        call = LiveCall(self, record, to=to, from_=from_, dial_outcome=dial_outcome)
        await call._step(call._load("setup", self.public_base_url + entry, "POST", {}))
        return call

    async def place_call(
        self,
        *,
        to: str,
        from_: str,
        utterances: list[str],
        company_id: str | None = None,
        dial_outcome: DialOutcome = "no-answer",
        status_callback: bool = True,
        status_callback_url: str | None = None,
    ) -> CallRecord:
        """A whole call: speak each utterance at a Gather, then stay silent until it ends."""
        call = await self.start(
            to=to,
            from_=from_,
            company_id=company_id,
            dial_outcome=dial_outcome,
            status_callback=status_callback,
            status_callback_url=status_callback_url,
        )
        for utterance in utterances:
            if not call.awaiting_speech:
                break
            await call.speak(utterance)
        while call.awaiting_speech:
            await call.stay_silent()
        return await call.hang_up()

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> TwilioCallSimulator:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def _send(
        self, method: str, public_url: str, params: dict[str, str]
    ) -> tuple[httpx.Response, float]:
        """Sign and send one request as Twilio would; returns the response and its latency."""
        if method == "GET" and params:
            public_url += ("&" if "?" in public_url else "?") + urlencode(params)
            params = {}
        signature = self._validator.compute_signature(public_url, params)
        headers = {"X-Twilio-Signature": signature, "User-Agent": "TwilioProxy/1.1"}
        timeout = httpx.Timeout(self.response_limit_s, connect=TWILIO_CONNECT_LIMIT_S)
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self.response_limit_s):
                response = await self._http.request(
                    method,
                    self._server_url(public_url),
                    data=params if method == "POST" else None,
                    headers=headers,
                    timeout=timeout,
                )
        except (TimeoutError, httpx.TimeoutException):
            raise WebhookFailed(
                f"no answer from {public_url} within Twilio's {self.response_limit_s:g} s",
                public_url,
            ) from None
        except httpx.HTTPError as exc:
            raise WebhookFailed(f"{method} {public_url} failed: {exc!r}", public_url) from exc
        return response, time.perf_counter() - started

    def _server_url(self, public_url: str) -> str:
        """Where the simulator really sends a request Twilio would send to `public_url`."""
        base = self.public_base_url
        if public_url == base or public_url.startswith((base + "/", base + "?")):
            return self.base_url + public_url[len(base) :]
        raise CallFlowError(
            f"TwiML points at {public_url}, outside the public base URL {base}: Twilio "
            "could not reach it (absolute URLs must be built from PUBLIC_BASE_URL)",
            public_url,
        )


class LiveCall:
    """A call in progress, driven one caller action at a time (the Locust user's view)."""

    def __init__(
        self,
        simulator: TwilioCallSimulator,
        record: CallRecord,
        *,
        to: str,
        from_: str,
        dial_outcome: DialOutcome,
    ) -> None:
        self.record = record
        self._sim = simulator
        self._to, self._from = to, from_
        self._dial_outcome = dial_outcome
        self._pending: list[Verb] = []
        self._gather: Gather | None = None
        self._answered = False
        self._redirects_in_a_row = 0
        self._twiml_requests = 0
        self._started = time.monotonic()

    @property
    def ended(self) -> bool:
        return self.record.ended_by is not None

    @property
    def awaiting_speech(self) -> bool:
        """The server has asked the caller to speak (a Gather is listening)."""
        return self._gather is not None and not self.ended

    async def speak(self, utterance: str, *, confidence: float = 0.9) -> list[CallEvent]:
        """Say `utterance` into the open Gather; returns what happened until the next one."""
        gather = self._take_gather()
        mark = len(self.record.events)
        self.record.events.append(CallerSaid(utterance, heard=gather.listens_for_speech))
        if gather.listens_for_speech:
            speech = {"SpeechResult": utterance, "Confidence": f"{confidence:.2f}"}
            await self._step(self._load("gather", gather.action, gather.method, speech))
        else:
            await self._step(self._no_input(gather))
        return self.record.events[mark:]

    async def stay_silent(self) -> list[CallEvent]:
        """Let the open Gather time out."""
        gather = self._take_gather()
        mark = len(self.record.events)
        self.record.events.append(CallerSilent())
        await self._step(self._no_input(gather))
        return self.record.events[mark:]

    async def hang_up(self) -> CallRecord:
        """End the call from the caller's side (no-op if it has ended) and return its record."""
        await self._step(self._end("caller"))
        return self.record

    def _take_gather(self) -> Gather:
        if not self.awaiting_speech or self._gather is None:
            raise RuntimeError(f"call {self.record.call_sid} is not waiting for the caller")
        gather, self._gather = self._gather, None
        return gather

    async def _step(self, action: Awaitable[None]) -> None:
        """Run one caller action; an error ends the call as Twilio would, then surfaces."""
        errors_before = len(self.record.errors)
        try:
            await action
        except SimulatedCallError as error:
            self.record.errors.append(error)
            await self._end("error")
        new_errors = self.record.errors[errors_before:]
        for new_error in new_errors:
            new_error.record = self.record
        if new_errors and self._sim.raise_on_error:
            raise new_errors[0]

    async def _no_input(self, gather: Gather) -> None:
        if gather.action_on_empty_result:
            await self._load("gather", gather.action, gather.method, {})
        else:
            await self._run()  # Twilio goes on with the verbs after the Gather

    async def _load(self, kind: RequestKind, url: str, method: str, extra: dict[str, str]) -> None:
        """Fetch the next TwiML document and run it until the caller must act."""
        self._twiml_requests += 1
        if self._twiml_requests > self._sim.max_twiml_requests:
            raise CallFlowError(
                f"more than {self._sim.max_twiml_requests} TwiML requests on one call", url
            )
        params = {**self._params("ringing" if kind == "setup" else "in-progress"), **extra}
        response, seconds = await self._sim._send(method, url, params)
        self.record.events.append(WebhookRequest(kind, method, url, response.status_code, seconds))
        self._pending = list(_read_twiml(response, url))
        await self._run()

    async def _run(self) -> None:
        """Execute verbs until a Gather listens or the call ends."""
        while self._pending and not self.ended:
            verb = self._pending.pop(0)
            answered_before = self._answered
            self._answered = answered_before or not isinstance(verb, Reject)
            match verb:
                case Say() | Play() | Pause():
                    await self._hear(verb)
                case Gather():
                    for prompt in verb.prompts:
                        await self._hear(prompt)
                    self._redirects_in_a_row = 0
                    self._gather = verb
                    return
                case Redirect():
                    self._redirects_in_a_row += 1
                    if self._redirects_in_a_row > MAX_REDIRECTS_IN_A_ROW:
                        raise CallFlowError(
                            f"more than {MAX_REDIRECTS_IN_A_ROW} redirects in a row", verb.url
                        )
                    self.record.events.append(Redirected(verb.url))
                    await self._load("redirect", verb.url, verb.method, {})
                    return
                case Dial():
                    self._redirects_in_a_row = 0
                    self.record.events.append(
                        Transferred(verb.numbers, verb.caller_id, self._dial_outcome)
                    )
                    if verb.action is not None:
                        await self._load("dial", verb.action, verb.method, self._dial_params())
                        return
                case Hangup():
                    await self._end("hangup")
                case Reject():
                    unanswered = "busy" if verb.reason == "busy" else "no-answer"
                    await self._end("hangup", "completed" if answered_before else unanswered)
                case Connect():
                    raise CallFlowError(
                        f"<Connect><{verb.target}> needs a WebSocket transport, which this "
                        "Gather-transport simulator does not drive",
                        verb.url,
                    )
        if not self.ended and self._gather is None:
            await self._end("hangup")  # end of document: Twilio hangs up

    async def _hear(self, verb: Say | Play | Pause) -> None:
        if isinstance(verb, Say):
            self.record.events.append(AgentSaid(verb.text, verb.voice))
        elif isinstance(verb, Play):
            response, seconds = await self._sim._send("GET", verb.url, {})
            self.record.events.append(_read_wav(response, verb.url, seconds))
        # Pause: the simulated caller does not wait out silence.

    async def _end(self, ended_by: EndedBy, call_status: str = "completed") -> None:
        """Finish the call and send the status callback, as Twilio does once it hangs up."""
        if self.ended:
            return
        self.record.ended_by = ended_by
        self._pending.clear()
        self._gather = None
        url = self.record.status_callback_url
        if url is None:
            return
        duration = math.ceil(time.monotonic() - self._started) if self._answered else 0
        params = {**self._params(call_status), "CallDuration": str(duration)}
        try:
            response, seconds = await self._sim._send("POST", url, params)
            self.record.events.append(
                WebhookRequest("status", "POST", url, response.status_code, seconds)
            )
            _require_2xx(response, url)
        except SimulatedCallError as error:
            self.record.errors.append(error)

    def _params(self, call_status: str) -> dict[str, str]:
        return {
            "CallSid": self.record.call_sid,
            "AccountSid": self._sim.account_sid,
            "From": self._from,
            "To": self._to,
            "Caller": self._from,
            "Called": self._to,
            "CallStatus": call_status,
            "Direction": "inbound",
            "ApiVersion": "2010-04-01",
        }

    def _dial_params(self) -> dict[str, str]:
        answered = self._dial_outcome == "completed"
        params = {
            "DialCallStatus": self._dial_outcome,
            "DialCallDuration": str(ANSWERED_DIAL_SECONDS if answered else 0),
        }
        if answered:
            params["DialCallSid"] = new_sid("CA")
        return params


def new_sid(prefix: str) -> str:
    """A Twilio-shaped SID: two-letter prefix and 32 hex digits."""
    return prefix + secrets.token_hex(16)


def _require_2xx(response: httpx.Response, url: str) -> None:
    if not response.is_success:
        raise WebhookFailed(
            f"{url} answered HTTP {response.status_code}: {response.text[:200]!r}", url
        )


def _media_type(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").split(";")[0].strip().lower()


def _read_twiml(response: httpx.Response, url: str) -> tuple[Verb, ...]:
    _require_2xx(response, url)
    if _media_type(response) not in TWIML_CONTENT_TYPES:
        raise BadTwiML(
            f"{url} answered Content-Type {_media_type(response)!r}; Twilio runs TwiML only "
            f"from {sorted(TWIML_CONTENT_TYPES)}",
            url,
        )
    try:
        return parse_twiml(response.content, url)
    except MalformedTwiML as exc:
        raise BadTwiML(f"malformed TwiML from {url}: {exc}", url) from exc


def _read_wav(response: httpx.Response, url: str, seconds: float) -> AgentPlayed:
    """Check a <Play> download is a WAV file Twilio would play, and describe it."""
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
