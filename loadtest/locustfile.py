"""Locust users that are phone calls: each task run is one simulated inbound Twilio call.

A user picks a seeded tenant, speaks a caller script for its trade (paced like a person,
or unpaced) and follows the TwiML to the end. Every request Twilio would make is reported
to Locust as request type "twilio", named by kind (setup, turn, redirect, dial, audio,
status), so the CSV has percentiles per kind; each whole call is reported as type "call".

Locust runs on gevent, the simulator on asyncio: `AsyncioBridge` runs one asyncio loop on
a real OS thread per worker process, and greenlets wait for its results through a gevent
async watcher, the one gevent primitive meant to be signalled from another thread.

Configuration (read here, at the edge): CLIENTSVIA_LOAD_TENANTS (tenants JSON from
`loadtest.run_load`), CLIENTSVIA_TWILIO_AUTH_TOKEN, CLIENTSVIA_PUBLIC_BASE_URL (default:
the Locust host), CLIENTSVIA_LOAD_PACING (paced | unpaced), CLIENTSVIA_LOAD_SEED.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import random
import time
from collections import deque
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Literal, TypeVar

import gevent
import gevent.event
import gevent.monkey
import httpx
from locust import User, events, task
from locust.env import Environment

from loadtest.call_record import CallRecord, FetchKind, RecordMark
from loadtest.run_load import Tenant, read_tenants
from loadtest.scripts import sample_call
from loadtest.twilio_sim import DialOutcome, LiveCall, TwilioCallSimulator

Pacing = Literal["paced", "unpaced"]
REQUEST_NAMES: dict[FetchKind | None, str] = {
    "setup": "setup", "gather": "turn", "redirect": "redirect", "dial": "dial",
    "audio": "audio", "status": "status", None: "flow",
}
SILENCE_S = 5.0  # a paced caller who says nothing waits out Twilio's default Gather timeout
MAX_SILENT_GATHERS = 3
PAUSE_BETWEEN_CALLS_S = (1.0, 3.0)  # paced: a user dials again after this long
DIAL_OUTCOMES: tuple[DialOutcome, ...] = ("completed", "no-answer", "busy")
DIAL_WEIGHTS = (6, 3, 1)
_T = TypeVar("_T")
CallerAction = Callable[[], Coroutine[Any, Any, Any]]


@dataclass(frozen=True, slots=True)
class LoadSettings:
    tenants_file: Path
    twilio_auth_token: str
    public_base_url: str | None = None  # None: the Locust host
    pacing: Pacing = "paced"
    seed: int | None = None  # None: a different run every time

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> LoadSettings:
        missing = [name for name in ("CLIENTSVIA_LOAD_TENANTS", "CLIENTSVIA_TWILIO_AUTH_TOKEN")
                   if not env.get(name)]
        if missing:
            raise ValueError(f"set {' and '.join(missing)} (python -m loadtest.run_load does)")
        pacing = env.get("CLIENTSVIA_LOAD_PACING", "paced")
        if pacing not in ("paced", "unpaced"):
            raise ValueError(f"CLIENTSVIA_LOAD_PACING must be paced or unpaced, not {pacing!r}")
        seed = env.get("CLIENTSVIA_LOAD_SEED")
        return cls(
            tenants_file=Path(env["CLIENTSVIA_LOAD_TENANTS"]),
            twilio_auth_token=env["CLIENTSVIA_TWILIO_AUTH_TOKEN"],
            public_base_url=env.get("CLIENTSVIA_PUBLIC_BASE_URL") or None,
            pacing="paced" if pacing == "paced" else "unpaced",
            seed=int(seed) if seed else None,
        )


# --- gevent ↔ asyncio ---------------------------------------------------------------------


class _NativeLoop(asyncio.SelectorEventLoop):
    """An asyncio loop that uses no gevent machinery, even when Locust monkey-patched it in.

    Patched selectors and resolvers would wait on a gevent hub in the loop's thread, which
    nothing runs; so the loop polls with the original selector, and resolves names with
    the original `getaddrinfo` (a load target is an address or a name in /etc/hosts).
    """

    def __init__(self) -> None:
        super().__init__(gevent.monkey.get_original("selectors", "DefaultSelector")())

    async def getaddrinfo(  # type: ignore[override]
        self, host: Any, port: Any, *, family: int = 0, type: int = 0, proto: int = 0,
        flags: int = 0,
    ) -> list[Any]:
        resolve = gevent.monkey.get_original("socket", "getaddrinfo")
        result: list[Any] = resolve(host, port, family, type, proto, flags)
        return result


class _Job:
    """One coroutine handed to the loop, and the gevent result its greenlet waits on."""

    def __init__(self, coro: Coroutine[Any, Any, Any]) -> None:
        self.coro = coro
        self.result = gevent.event.AsyncResult()
        self.task: asyncio.Task[Any] | None = None

    def cancel(self) -> None:  # on the loop's thread
        if self.task is not None:
            self.task.cancel()


class AsyncioBridge:
    """Runs coroutines on one asyncio loop in a real OS thread; greenlets wait cooperatively."""

    def __init__(self) -> None:
        self._loop = _NativeLoop()
        self._finished: deque[_Job] = deque()  # appended on the loop's thread, drained in gevent
        self._wakeup = gevent.get_hub().loop.async_()
        self._wakeup.start(self._deliver)
        start_thread = gevent.monkey.get_original("_thread", "start_new_thread")
        start_thread(self._loop.run_forever, ())

    def run(self, coro: Coroutine[Any, Any, _T]) -> _T:
        """Run `coro` on the loop and wait for it; killing the greenlet cancels it."""
        job = self._start(coro)
        try:
            value: _T = job.result.get()
        except BaseException:
            if not job.result.ready():  # the greenlet was killed: abandon the coroutine
                self._loop.call_soon_threadsafe(job.cancel)
            raise
        return value

    def submit(self, coro: Coroutine[Any, Any, Any]) -> None:
        """Start `coro` and do not wait for it."""
        self._start(coro)

    def close(self, timeout_s: float = 5.0) -> None:
        """Let submitted work finish (up to `timeout_s`), then stop the loop.

        The wake-up watcher stays open: a straggler finishing on the loop's thread may
        still signal it, and closing it under that thread is not safe.
        """
        try:
            self.run(_drain(timeout_s))
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)

    def _start(self, coro: Coroutine[Any, Any, Any]) -> _Job:
        job = _Job(coro)
        self._loop.call_soon_threadsafe(self._begin, job)
        return job

    def _begin(self, job: _Job) -> None:  # on the loop's thread
        job.task = self._loop.create_task(job.coro)
        job.task.add_done_callback(lambda _: self._finish(job))

    def _finish(self, job: _Job) -> None:  # on the loop's thread
        self._finished.append(job)
        self._wakeup.send()  # thread-safe: wakes the gevent hub, which runs _deliver

    def _deliver(self) -> None:  # in the gevent hub
        while self._finished:
            job = self._finished.popleft()
            assert job.task is not None
            if job.task.cancelled():
                job.result.set_exception(asyncio.CancelledError())
            elif (error := job.task.exception()) is not None:
                job.result.set_exception(error)
            else:
                job.result.set(job.task.result())


async def _drain(timeout_s: float) -> None:
    """Wait for every other task on the loop, then cancel what is still running."""
    others = asyncio.all_tasks() - {asyncio.current_task()}
    if others:
        _, pending = await asyncio.wait(others, timeout=timeout_s)
        for straggler in pending:
            straggler.cancel()


@dataclass
class _Worker:
    """What one Locust process shares between its users: settings, tenants, the loop."""

    settings: LoadSettings
    tenants: list[Tenant]
    bridge: AsyncioBridge
    simulator: TwilioCallSimulator
    http: httpx.AsyncClient
    pid: int
    callers: itertools.count[int]


_worker: _Worker | None = None


def worker_for(host: str) -> _Worker:
    """This process's shared state, built on first use (after Locust forks its processes)."""
    global _worker
    if _worker is None or _worker.pid != os.getpid():
        settings = LoadSettings.from_env(os.environ)
        tenants = read_tenants(settings.tenants_file)
        logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per request drowns Locust
        bridge = AsyncioBridge()
        http = bridge.run(_http_client())
        simulator = TwilioCallSimulator(
            host,
            settings.twilio_auth_token,
            public_base_url=settings.public_base_url or host,
            http=http,
            raise_on_error=False,  # failures are reported to Locust, call by call
        )
        _worker = _Worker(settings, tenants, bridge, simulator, http, os.getpid(),
                          itertools.count())
    return _worker


async def _http_client() -> httpx.AsyncClient:
    """Created on the loop: like Twilio, one connection per request in flight, no queueing."""
    return httpx.AsyncClient(limits=httpx.Limits(max_connections=None))


@events.quitting.add_listener
def _close_worker(environment: Environment, **_: Any) -> None:
    global _worker
    # On SIGTERM Locust fires `quitting` while users still run: stop them (each hangs up
    # its call) before their loop and HTTP client go away under them.
    if environment.runner is not None:
        environment.runner.stop()
    if _worker is not None and _worker.pid == os.getpid():
        worker, _worker = _worker, None
        worker.bridge.run(worker.http.aclose())
        worker.bridge.close()


# --- the phone call -----------------------------------------------------------------------


class PhoneCall(User):
    """One simulated caller: dials a tenant, talks through a script, hangs up, repeats."""

    def on_start(self) -> None:
        if not self.host:
            raise ValueError("give the server to call with --host")
        self.worker = worker_for(self.host)
        seed = self.worker.settings.seed
        caller = next(self.worker.callers)
        self.rng = random.Random(None if seed is None else f"{seed}:{os.getpid()}:{caller}")
        self.paced = self.worker.settings.pacing == "paced"
        self.live: LiveCall | None = None

    def wait_time(self) -> float:
        return self.rng.uniform(*PAUSE_BETWEEN_CALLS_S) if self.paced else 0.0

    def on_stop(self) -> None:
        """A call cut short by the end of the test still hangs up, so the server can clean up."""
        live, self.live = getattr(self, "live", None), None
        if live is not None and not live.ended:  # on_start succeeded: self.worker is set
            self.worker.bridge.submit(live.hang_up())

    @task
    def place_call(self) -> None:
        tenant = self.rng.choice(self.worker.tenants)
        sampled = sample_call(tenant.trade, self.rng)
        started = time.perf_counter()
        start = self.worker.simulator.start(
            to=tenant.number,
            from_=f"+1{self.rng.randint(201, 989)}555{self.rng.randint(0, 9999):04d}",
            company_id=tenant.company_id,
            dial_outcome=self.rng.choices(DIAL_OUTCOMES, weights=DIAL_WEIGHTS)[0],
        )
        self.live = live = self.worker.bridge.run(start)
        self._report(live.record, RecordMark(0, 0))
        for turn in sampled.turns:
            if not live.awaiting_speech:
                break
            self._act(live, partial(live.speak, turn.text), turn.paced_gap_s)
        for _ in range(MAX_SILENT_GATHERS):
            if not live.awaiting_speech:
                break
            self._act(live, live.stay_silent, SILENCE_S)
        self._act(live, live.hang_up, 0.0)
        self.live = None
        self._report_call(f"{tenant.trade}:{sampled.script.name}", live.record, started)

    def _act(self, live: LiveCall, action: CallerAction, pause_s: float) -> None:
        """Wait as the caller would (paced), do one caller action, report its requests."""
        if self.paced and pause_s:
            gevent.sleep(pause_s)
        mark = live.record.mark()
        self.worker.bridge.run(action())
        self._report(live.record, mark)

    def _report(self, record: CallRecord, mark: RecordMark) -> None:
        for fetch in record.fetches_since(mark):
            name = REQUEST_NAMES[fetch.kind]
            self._fire("twilio", name, fetch.seconds, fetch.size, fetch.error, fetch.url)

    def _report_call(self, name: str, record: CallRecord, started: float) -> None:
        error = record.errors[0] if record.errors else None
        self._fire("call", name, time.perf_counter() - started, 0, error, record.call_sid)

    def _fire(
        self, kind: str, name: str, seconds: float, size: int, error: Exception | None, what: str
    ) -> None:
        self.environment.events.request.fire(
            request_type=kind,
            name=name,
            response_time=seconds * 1000,
            response_length=size,
            exception=error,
            context={"what": what},  # the URL, or the call's sid
        )
