"""Synthetic call logs as events, so test and demo data travel the real pipeline.

Deterministic for a seed: the same config always yields the same companies, calls, words
and latencies. Volume follows a business-hours curve with quieter weekends; outcomes
follow a typical mix; some callers call again; latencies follow each tier's shape
(knowledge answers are fast, LLM answers wait for a first token).
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from analytics.events import (
    AppointmentBooked,
    CallEnded,
    CallEventBase,
    CallStarted,
    MessageTaken,
    Outcome,
    Tier,
    TransferMade,
    TransferPriority,
    TurnRecorded,
)
from analytics.trade_questions import (
    BOOKING_REQUEST,
    EMERGENCIES,
    GOODBYE,
    KNOWN,
    PERSON_REQUEST,
    TRADES,
    UNKNOWN,
)

OUTCOME_MIX: dict[Outcome, float] = {
    "answered_knowledge": 0.42,
    "answered_llm": 0.20,
    "transferred": 0.14,
    "message_taken": 0.09,
    "booked": 0.09,
    "abandoned": 0.06,
}
# Share of a day's calls in each UTC hour: quiet nights, a morning peak, an afternoon bump.
HOUR_WEIGHTS = [1, 1, 1, 1, 1, 2, 4, 8, 14, 16, 15, 12, 10, 12, 13, 12, 10, 8, 6, 4, 3, 2, 2, 1]


@dataclass(frozen=True)
class GeneratorConfig:
    seed: int = 7
    companies: int = 3
    days: int = 14
    start: date = date(2025, 3, 3)
    calls_per_day: float = 20.0  # mean per company per weekday; weekends get 40 %
    returning_share: float = 0.3


@dataclass(frozen=True)
class SyntheticCompany:
    company_id: str
    trade: str
    name: str
    phone: str


def company_ids(count: int, seed: int) -> list[str]:
    rng = random.Random(f"companies:{seed}")
    return [f"{rng.getrandbits(96):024x}" for _ in range(count)]


def synthetic_companies(count: int, seed: int) -> list[SyntheticCompany]:
    rng = random.Random(f"company-profiles:{seed}")
    return [
        SyntheticCompany(
            company_id=cid,
            trade=TRADES[n % len(TRADES)],
            name=f"{rng.choice(['Summit', 'Allied', 'Reliable', 'Cardinal'])} {TRADES[n % 3]}",
            phone=f"+1{rng.randint(201, 989)}555{rng.randint(0, 9999):04d}",
        )
        for n, cid in enumerate(company_ids(count, seed))
    ]


class CallLogGenerator:
    """Calls for many companies over consecutive days, as ordered event lists."""

    def __init__(self, config: GeneratorConfig | None = None) -> None:
        self.config = config or GeneratorConfig()
        self.companies = synthetic_companies(self.config.companies, self.config.seed)

    def calls(self) -> Iterator[list[CallEventBase]]:
        """Every call's events, day by day, calls ordered by start time within a day."""
        cfg = self.config
        rng = random.Random(f"calls:{cfg.seed}")
        callers: dict[str, list[str]] = {c.company_id: [] for c in self.companies}
        for offset in range(cfg.days):
            day = cfg.start + timedelta(days=offset)
            starts: list[tuple[datetime, SyntheticCompany]] = []
            for company in self.companies:
                mean = cfg.calls_per_day * (0.4 if day.weekday() >= 5 else 1.0)
                for _ in range(max(0, round(rng.gauss(mean, math.sqrt(mean))))):
                    starts.append((_start_time(rng, day), company))
            starts.sort(key=lambda pair: (pair[0], pair[1].company_id))
            for started_at, company in starts:
                seen = callers[company.company_id]
                returning = bool(seen) and rng.random() < cfg.returning_share
                caller = rng.choice(seen) if returning else _phone(rng)
                if not returning:
                    seen.append(caller)
                yield synthetic_call(rng, company, started_at, caller, returning)

    def events(self) -> Iterator[CallEventBase]:
        for call in self.calls():
            yield from call


def synthetic_call(
    rng: random.Random,
    company: SyntheticCompany,
    started_at: datetime,
    caller: str,
    returning: bool,
) -> list[CallEventBase]:
    """One call's events in the order a call actor would emit them."""
    outcome: Outcome = rng.choices(list(OUTCOME_MIX), weights=list(OUTCOME_MIX.values()))[0]
    base: dict[str, Any] = {
        "company_id": company.company_id,
        "call_sid": f"CA{rng.getrandbits(128):032x}",
        "started_at": started_at,
    }
    events: list[CallEventBase] = [
        CallStarted(**base, caller_number=caller, called_number=company.phone,
                    returning_caller=returning)
    ]
    clock = started_at + timedelta(seconds=rng.uniform(1, 3))
    mood = {"transferred": -0.2, "message_taken": -0.1, "abandoned": -0.4}.get(outcome, 0.4)
    script = _script(rng, company, outcome)
    sentiment = 0.0
    for index, (caller_text, agent_text, tier, confidence) in enumerate(script):
        sentiment = max(-1.0, min(1.0, rng.gauss(mood, 0.25)))
        events.append(
            TurnRecorded(**base, turn_index=index, at=clock, caller_text=caller_text,
                         agent_text=agent_text, tier=tier, confidence=confidence,
                         sentiment=round(sentiment, 3), **_latencies(rng, tier))
        )
        events.extend(_side_effect(rng, base, company, outcome, tier, index, clock))
        clock += timedelta(seconds=rng.uniform(4, 18))
    events.append(
        CallEnded(**base, outcome=outcome, final_sentiment=round(sentiment, 3),
                  turn_count=len(script), ended_at=clock,
                  duration_s=round((clock - started_at).total_seconds(), 3))
    )
    return events


Turn = tuple[str, str, Tier, float | None]


def _script(rng: random.Random, company: SyntheticCompany, outcome: Outcome) -> list[Turn]:
    greeting: Turn = ("", f"Thanks for calling {company.name}, how can I help?", "greeting", None)
    known = KNOWN[company.trade]

    def answered(tier: Tier) -> Turn:
        question, answer = rng.choice(known)
        low, high = (0.75, 0.99) if tier != "llm" else (0.2, 0.6)
        return question, answer, tier, round(rng.uniform(low, high), 3)

    def gap() -> Turn:
        return (rng.choice(rng.choice(UNKNOWN)), "I'm not sure about that one.", "fallback",
                round(rng.uniform(0.05, 0.45), 3))

    goodbye: Turn = (GOODBYE, "Thanks for calling, have a great day!", "goodbye", None)
    kb: Tier = rng.choice(["knowledge", "knowledge", "trade_knowledge"])
    if outcome == "answered_knowledge":
        return [greeting, *[answered(kb) for _ in range(rng.randint(1, 3))], goodbye]
    if outcome == "answered_llm":
        return [greeting, answered("llm"), *([answered(kb)] if rng.random() < 0.4 else []),
                goodbye]
    if outcome == "transferred":
        if rng.random() < 0.2:
            return [greeting, (EMERGENCIES[company.trade], "Connecting you to our on-call "
                    "technician now.", "emergency", None)]
        return [greeting, gap(), (PERSON_REQUEST, "Let me connect you.", "transfer", None)]
    if outcome == "message_taken":
        return [greeting, gap(), (PERSON_REQUEST, "I'll take a message.", "message", None)]
    if outcome == "booked":
        return [greeting, answered(kb), (BOOKING_REQUEST, "What day works best?", "booking",
                None), ("Tuesday morning", "You're booked for Tuesday at 9am.", "booking", None)]
    return [greeting, *([gap()] if rng.random() < 0.7 else [])]


def _side_effect(
    rng: random.Random,
    base: dict[str, Any],
    company: SyntheticCompany,
    outcome: Outcome,
    tier: Tier,
    index: int,
    at: datetime,
) -> list[CallEventBase]:
    """The transfer, message or booking a turn caused, if any."""
    if tier in ("transfer", "emergency"):
        priority: TransferPriority = "emergency" if tier == "emergency" else "normal"
        return [TransferMade(**base, turn_index=index, at=at, to_number=company.phone,
                             reason="emergency" if tier == "emergency" else "caller asked",
                             priority=priority)]
    if tier == "message":
        return [MessageTaken(**base, turn_index=index, at=at, urgent=rng.random() < 0.2,
                             message="Please call me back about my question.")]
    if tier == "booking" and outcome == "booked" and index == 3:
        return [AppointmentBooked(**base, turn_index=index, at=at, service="service visit",
                                  scheduled_for=at + timedelta(days=rng.randint(1, 5)))]
    return []


def _latencies(rng: random.Random, tier: Tier) -> dict[str, Any]:
    match = rng.uniform(2, 18)
    tts = rng.lognormvariate(math.log(110), 0.3)
    if tier == "llm":
        first_token = rng.lognormvariate(math.log(380), 0.35)
        return {"match_ms": round(match, 2), "llm_first_token_ms": round(first_token, 2),
                "llm_total_ms": round(first_token + rng.uniform(300, 1500), 2),
                "tts_first_byte_ms": round(tts, 2),
                "total_ms": round(match + first_token + tts + rng.uniform(10, 40), 2)}
    return {"match_ms": round(match, 2), "llm_first_token_ms": None, "llm_total_ms": None,
            "tts_first_byte_ms": round(tts, 2),
            "total_ms": round(match + tts + rng.uniform(10, 40), 2)}


def _start_time(rng: random.Random, day: date) -> datetime:
    hour = rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC) + timedelta(
        seconds=rng.randrange(3600)
    )


def _phone(rng: random.Random) -> str:
    return f"+1{rng.randint(201, 989)}{rng.randint(200, 999)}{rng.randint(0, 9999):04d}"
