"""Test calls from the console: the Twilio simulator, driven into this same app.

The console asks for a call with the caller's lines; the simulator rings the company's
incoming-call webhook, speaks each line at a Gather and hangs up, every request signed
exactly as Twilio signs it (over `PUBLIC_BASE_URL`, with the company's or the platform's
auth token and account SID). The requests do not leave the process: they go through an
ASGI transport straight into the app serving the console, so no host, port or proxy has
to be known (`PUBLIC_BASE_URL` may well be a name that does not resolve here), and they
meet the same signature, account, rate-limit and tenancy checks as Twilio's.

The call runs in the background; the page polls the call's log until its transcript lands,
and meanwhile shows what the simulated caller has heard so far (`heard`), kept by the
replica that placed the call: a call that never reaches the log (every line busy, a
webhook error) still says why.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import httpx
from pydantic import TypeAdapter, ValidationError
from starlette.types import ASGIApp

from loadtest.twilio_sim import (
    AgentPlayed,
    AgentSaid,
    CallerSaid,
    CallRecord,
    LiveCall,
    Transferred,
    TwilioCallSimulator,
)
from runtime.serve.twilio_account import expected_account
from runtime.serve.twilio_auth import signing_token
from runtime.settings import Settings
from tenancy.models import Company
from tenancy.models.common import E164Phone

log = logging.getLogger(__name__)

IN_PROCESS_BASE = "http://console-test-call.internal"
MAX_LINES = 10
MAX_LINE_CHARS = 300
DEFAULT_CALLER = "+12395550142"
KEPT_CALLS = 100  # recent test calls whose progress a replica remembers
_E164: TypeAdapter[str] = TypeAdapter(E164Phone)


class SimulatedCallRefused(ValueError):
    """The call cannot be placed; the message says what to change, `field` where (the
    form's input name; "" when it is not about one input)."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class SimulatedCallRequest:
    caller_number: str
    lines: tuple[str, ...]

    @classmethod
    def from_form(cls, caller_number: str, lines_text: str) -> SimulatedCallRequest:
        """One caller line per line of the text box; blank lines skipped; sizes bounded."""
        lines = tuple(line.strip() for line in lines_text.splitlines() if line.strip())
        if len(lines) > MAX_LINES:
            raise SimulatedCallRefused(f"at most {MAX_LINES} caller lines per test call",
                                       "lines")
        if any(len(line) > MAX_LINE_CHARS for line in lines):
            raise SimulatedCallRefused(
                f"each caller line may be at most {MAX_LINE_CHARS} characters", "lines")
        try:
            number = _E164.validate_python(caller_number.strip() or DEFAULT_CALLER)
        except ValidationError:
            raise SimulatedCallRefused("the caller's number must be a phone number in E.164 form, "
                                  "e.g. +12395550142", "caller") from None
        return cls(caller_number=number, lines=lines)


class SimulatedCallDesk:
    """Places simulated calls into `app` and keeps their tasks alive until they finish."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self._app = app
        self._settings = settings
        self._running: set[asyncio.Task[None]] = set()
        self._records: OrderedDict[tuple[str, str], CallRecord] = OrderedDict()

    async def place(self, company: Company, request: SimulatedCallRequest) -> str:
        """Ring the company and play its greeting; the caller's lines follow in the
        background. Returns the CallSid to poll the call log for."""
        token = signing_token(company, _secret(self._settings.twilio_auth_token))
        if token is None:
            raise SimulatedCallRefused("no Twilio auth token is configured (the company's or "
                                  "TWILIO_AUTH_TOKEN), so a call cannot be signed")
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=self._app),
                                 base_url=IN_PROCESS_BASE)
        simulator = TwilioCallSimulator(
            IN_PROCESS_BASE, token, public_base_url=self._settings.public_base_url, http=http,
            account_sid=expected_account(company, self._settings.twilio_account_sid),
            raise_on_error=False,
        )
        try:
            call = await simulator.start(to=company_number(company),
                                         from_=request.caller_number, company_id=company.id)
        except BaseException:
            await http.aclose()
            raise
        task = asyncio.create_task(_finish(call, request.lines, http))
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        self._records[(company.id, call.record.call_sid)] = call.record
        while len(self._records) > KEPT_CALLS:
            self._records.popitem(last=False)
        return call.record.call_sid

    def heard(self, company_id: str, call_sid: str) -> HeardSoFar | None:
        """What the caller of a test call this replica placed for the company has heard
        and said so far (None: not placed here, or long ago)."""
        record = self._records.get((company_id, call_sid))
        return None if record is None else HeardSoFar.of(record)

    async def wait_idle(self) -> None:
        """Let running test calls finish (replica shutdown, tests)."""
        if self._running:
            await asyncio.gather(*self._running, return_exceptions=True)


@dataclass(frozen=True)
class HeardSoFar:
    """A test call as the simulated caller lived it: who said what, and whether it ended."""

    lines: list[tuple[str, str]]  # (speaker, words)
    ended: bool
    problems: list[str]

    @classmethod
    def of(cls, record: CallRecord) -> HeardSoFar:
        lines = []
        for event in record.events:
            match event:
                case AgentSaid(text=text):
                    lines.append(("Agent", text))
                case AgentPlayed():
                    lines.append(("Agent", "(speaks a recorded answer)"))
                case CallerSaid(text=text):
                    lines.append(("Caller", text))
                case Transferred(numbers=numbers):
                    lines.append(("Agent", f"(transfers the call to {', '.join(numbers)})"))
        return cls(lines=lines, ended=record.ended_by is not None,
                   problems=[str(error) for error in record.errors])


async def _finish(call: LiveCall, lines: Sequence[str], http: httpx.AsyncClient) -> None:
    """Say each line while the agent listens, then hang up (the status callback logs it)."""
    try:
        for line in lines:
            if not call.awaiting_speech:
                break
            await call.speak(line)
        record = await call.hang_up()
        for error in record.errors:
            log.warning("test call %s: %s", record.call_sid, error)
    except Exception:  # a background task: log it, the page shows the call never landed
        log.exception("test call %s failed", call.record.call_sid)
    finally:
        await http.aclose()


def company_number(company: Company) -> str:
    """The number the test call rings: the primary Twilio number, else the company's own."""
    number = company.twilioConfig.primary_number() or company.companyPhone
    if number:
        return number
    raise SimulatedCallRefused("the company has no phone number to call: add one first")


def _secret(value: object) -> str | None:
    return value.get_secret_value() if value is not None else None  # type: ignore[attr-defined]
