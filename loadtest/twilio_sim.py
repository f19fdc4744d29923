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
import time
from collections.abc import Awaitable
from urllib.parse import quote, urlencode

import httpx
from twilio.request_validator import RequestValidator

from loadtest.call_record import (
    AgentPlayed,
    AgentSaid,
    BadAudio,
    BadTwiML,
    CallerSaid,
    CallerSilent,
    CallEvent,
    CallFlowError,
    CallRecord,
    DialOutcome,
    EndedBy,
    FetchKind,
    Redirected,
    RequestKind,
    SimulatedCallError,
    Transferred,
    WebhookFailed,
    WebhookRequest,
    read_twiml,
    read_wav,
    require_2xx,
)
from loadtest.twiml_reader import (
    Connect,
    Dial,
    Gather,
    Hangup,
    Pause,
    Play,
    Redirect,
    Reject,
    Say,
    Verb,
)

__all__ = [  # with the call record's names, still importable from here where callers met them
    "AgentPlayed", "AgentSaid", "BadAudio", "BadTwiML", "CallEvent", "CallFlowError", "CallRecord",
    "CallerSaid", "CallerSilent", "DialOutcome", "EndedBy", "LiveCall", "Redirected", "RequestKind",
    "SimulatedCallError", "Transferred", "TwilioCallSimulator", "WebhookFailed", "WebhookRequest",
]
TWILIO_RESPONSE_LIMIT_S = 15.0  # then Twilio plays an application error to the caller
TWILIO_CONNECT_LIMIT_S = 10.0
MAX_REDIRECTS_IN_A_ROW = 10
MAX_TWIML_REQUESTS = 50  # per call: keeps a looping server from running forever
ANSWERED_DIAL_SECONDS = 30  # DialCallDuration reported when the transfer was answered


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
        self, kind: FetchKind, method: str, public_url: str, params: dict[str, str]
    ) -> tuple[httpx.Response, float]:
        """Sign and send one request as Twilio would; returns the response and its latency."""
        if method == "GET" and params:
            public_url += ("&" if "?" in public_url else "?") + urlencode(params)
            params = {}
        signature = self._validator.compute_signature(public_url, params)
        headers = {"X-Twilio-Signature": signature, "User-Agent": "TwilioProxy/1.1"}
        timeout = httpx.Timeout(self.response_limit_s, connect=TWILIO_CONNECT_LIMIT_S)
        server_url = self._server_url(public_url)
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self.response_limit_s):
                response = await self._http.request(
                    method,
                    server_url,
                    data=params if method == "POST" else None,
                    headers=headers,
                    timeout=timeout,
                )
        except (TimeoutError, httpx.TimeoutException):
            raise WebhookFailed(
                f"no answer from {public_url} within Twilio's {self.response_limit_s:g} s",
                public_url,
            ).on_request(kind, time.perf_counter() - started) from None
        except httpx.HTTPError as exc:
            raise WebhookFailed(
                f"{method} {public_url} failed: {exc!r}", public_url
            ).on_request(kind, time.perf_counter() - started) from exc
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
        response, seconds = await self._sim._send(kind, method, url, params)
        request = WebhookRequest(kind, method, url, response.status_code, seconds)
        self.record.events.append(request)
        self._pending = list(read_twiml(response, request))
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
            response, seconds = await self._sim._send("audio", "GET", verb.url, {})
            self.record.events.append(read_wav(response, verb.url, seconds))
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
            response, seconds = await self._sim._send("status", "POST", url, params)
            request = WebhookRequest("status", "POST", url, response.status_code, seconds)
            self.record.events.append(request)
            require_2xx(response, request)
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


