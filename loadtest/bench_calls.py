"""One benchmark call, driven through the Twilio simulator, and what it measured.

A call rings the server (setup), then speaks turns that alternate a question the company's
knowledge answers and one only the language model can, then hangs up (status callback).
Unpaced calls speak back to back; paced calls wait 3-9 s between turns, like people.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from loadtest.call_record import AgentPlayed, Redirected, WebhookRequest
from loadtest.twilio_sim import SimulatedCallError, TwilioCallSimulator
from tenancy.models.company import TradeCategory

PACED_GAP_S = (3.0, 9.0)  # a paced caller speaks once every 3 to 9 seconds
# Questions the seeded knowledge answers (see loadtest.run_load.KNOWLEDGE) ...
KNOWLEDGE_QUESTIONS: dict[str, tuple[str, ...]] = {
    TradeCategory.HVAC.value: ("Do you service heat pumps?", "Do you offer financing?"),
    TradeCategory.PLUMBING.value: ("What is your service call fee?",
                                   "Do you charge extra on weekends?"),
    TradeCategory.ELECTRICAL.value: ("Do you do panel upgrades?", "Do you install EV chargers?"),
}
# ... and ones neither the knowledge nor the trade catalog answers: the model tier.
MODEL_QUESTIONS = (
    "Do your people wear shoe covers inside the house?",
    "Can I pay the technician with a personal check?",
    "Is your office dog friendly if I drop by?",
)
# A whole phone booking: every turn is the booking flow (availability, then the reservation).
BOOKING_SCRIPT = (
    "I need to schedule an appointment", "my AC is blowing warm air", "as soon as possible",
    "the first one", "Pat Doe", "12 Palm Avenue, Fort Myers", "yes", "yes",
)


@dataclass(frozen=True)
class BenchTenant:
    company_id: str
    number: str
    trade: str

    def question(self, turn: int, rng: random.Random) -> str:
        """Even turns ask the knowledge base, odd turns the language model."""
        pool = KNOWLEDGE_QUESTIONS[self.trade] if turn % 2 == 0 else MODEL_QUESTIONS
        return rng.choice(pool)


@dataclass(frozen=True)
class TurnSample:
    at: float  # time.monotonic() when the caller spoke
    webhook_s: float  # the turn (Gather action) webhook round trip
    action_s: float  # the whole caller action: every TwiML request and <Play> fetch
    redirects: int
    plays: int = 0  # <Play> downloads the caller action made


@dataclass
class CallSample:
    setup_s: float | None = None
    turns: list[TurnSample] = field(default_factory=list)
    status_s: float | None = None
    error: str | None = None  # what went wrong, as Twilio would see it
    refused: bool = False  # answered without a Gather (busy / forwarded)
    ended_early: bool = False  # the agent hung up before the script was done

    @property
    def failed(self) -> bool:
        return self.error is not None or self.refused


@dataclass(frozen=True)
class CallPlan:
    turns: int
    paced: bool = False
    seed: int = 0
    script: tuple[str, ...] = ()  # what the caller says; empty: the tenant's questions

    def utterance(self, tenant: BenchTenant, turn: int, rng: random.Random) -> str:
        return self.script[turn] if self.script else tenant.question(turn, rng)


async def run_call(sim: TwilioCallSimulator, tenant: BenchTenant, caller: str, plan: CallPlan,
                   stop: asyncio.Event | None = None) -> CallSample:
    """Place one call; never raises for what the server did wrong (it lands in the sample)."""
    rng = random.Random(plan.seed)
    sample = CallSample()
    try:
        call = await sim.start(to=tenant.number, from_=caller, company_id=tenant.company_id)
        sample.setup_s = call.record.setup_seconds
        if not call.awaiting_speech:
            sample.refused = True
        for index in range(plan.turns):
            if not call.awaiting_speech:
                sample.ended_early = not sample.refused
                break
            if plan.paced:
                await _pause(rng.uniform(*PACED_GAP_S), stop)
            if stop is not None and stop.is_set():
                break
            started = time.monotonic()
            events = await call.speak(plan.utterance(tenant, index, rng))
            sample.turns.append(_turn_sample(started, time.monotonic() - started, events))
        record = await call.hang_up()
        sample.status_s = next((r.seconds for r in reversed(record.requests)
                                if r.kind == "status"), None)
        if record.errors:
            sample.error = str(record.errors[0])
    except SimulatedCallError as error:
        sample.error = f"{type(error).__name__}: {error}"
    return sample


def _turn_sample(started: float, action_s: float, events: Sequence[object]) -> TurnSample:
    webhook = next((e.seconds for e in events
                    if isinstance(e, WebhookRequest) and e.kind == "gather"), action_s)
    redirects = sum(isinstance(e, Redirected) for e in events)
    plays = sum(isinstance(e, AgentPlayed) for e in events)
    return TurnSample(started, webhook, action_s, redirects, plays)


async def _pause(seconds: float, stop: asyncio.Event | None) -> None:
    if stop is None:
        await asyncio.sleep(seconds)
        return
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


def caller_number(index: int) -> str:
    """A distinct, valid caller id per simulated caller."""
    return f"+1415{index % 10_000_000:07d}"
