"""The scenario eval suite: caller utterances with the action a good receptionist takes.

`companies.yaml` holds three sample companies (HVAC only, plumbing only, all three
trades); `scenarios/*.yaml` one category each. `run_suite` puts every utterance, as the
first words of a fresh call, through the real dialogue policy with the real embedding
model, and `judge` says whether the agent did what the scenario expects. Offline: no
language model (the knowledge tiers must stand on their own), no network.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from runtime.conversation import CallContext, CompanySnapshot, ConversationState, DialoguePolicy
from runtime.conversation.outcome import Hangup, Listen, TakeMessage, Tier, Transfer, TurnOutcome
from runtime.conversation.state import Mode
from runtime.meaning.entry_vectors import embed_entries
from runtime.meaning.scorer import CatalogVectors, EmbeddingMeaning
from runtime.providers.embedding import SentenceEmbedder
from tenancy.models import Company, CompanyQnA, Employee

SUITE = Path(__file__).parent
MAIN = SUITE / "scenarios"
HELDOUT = SUITE / "heldout"  # written blind; see README "Held-out scenarios"
HELDOUT2 = SUITE / "heldout2"  # a second set written blind, after the first was read
HELDOUT3 = SUITE / "heldout3"  # emergencies and safety only, written blind in parallel with fixes
HELDOUT4 = SUITE / "heldout4"  # non-hazard categories only, written blind (issue 9)
HELDOUT_SETS = (HELDOUT, HELDOUT2, HELDOUT3, HELDOUT4)  # each on its own, never in the main overall
EXPECTATIONS = ("answer", "emergency", "not_emergency", "transfer", "message", "hangup",
                "reask", "book", "no_answer")
KNOWLEDGE_TIERS = (Tier.KNOWLEDGE, Tier.TRADE_KNOWLEDGE)
OFFICE_TIME = time(10, 0)  # a Wednesday, company local time
NIGHT_TIME = time(2, 0)
WEDNESDAY = (2025, 1, 15)
CALLER = "+15555550123"


@dataclass(frozen=True)
class Scenario:
    category: str
    company: str
    say: str
    expect: str
    to: str | None = None  # "on_call" or "office"
    facts: tuple[str, ...] = ()  # the reply must contain each (answers)
    says: tuple[str, ...] = ()  # the reply must contain each (safety lines)
    must_not_say: tuple[str, ...] = ()
    after_hours: bool = False
    confidence: float | None = None

    @classmethod
    def of(cls, category: str, raw: dict[str, Any]) -> Scenario:
        if raw["expect"] not in EXPECTATIONS:
            raise ValueError(f"unknown expectation {raw['expect']!r} in {raw}")
        return cls(
            category, raw["company"], raw["say"], raw["expect"], raw.get("to"),
            tuple(raw.get("facts", ())), tuple(raw.get("says", ())),
            tuple(raw.get("must_not_say", ())), bool(raw.get("after_hours", False)),
            raw.get("confidence"),
        )


@dataclass
class Result:
    scenario: Scenario
    passed: bool
    why: str = ""  # what went wrong, for the failure list
    reply: str = ""
    tier: str = ""


@dataclass
class SampleCompany:
    snapshot: CompanySnapshot
    policy: DialoguePolicy | None = field(default=None)


def load_scenarios(folder: Path = MAIN) -> list[Scenario]:
    scenarios = []
    for path in sorted(folder.glob("*.yaml")):
        document = yaml.safe_load(path.read_text())
        scenarios.extend(Scenario.of(document["category"], raw)
                         for raw in document["scenarios"])
    return scenarios


def load_companies(path: Path = SUITE / "companies.yaml") -> dict[str, CompanySnapshot]:
    companies = {}
    for key, raw in yaml.safe_load(path.read_text()).items():
        company = Company.model_validate(raw["document"])
        knowledge = [CompanyQnA.model_validate(entry) for entry in raw["knowledge"]]
        staff = [Employee.model_validate(person) for person in raw["staff"]]
        companies[key] = CompanySnapshot.from_documents(company, knowledge, staff)
    return companies


def _moment(snapshot: CompanySnapshot, after_hours: bool) -> datetime:
    local = datetime(*WEDNESDAY, tzinfo=ZoneInfo(snapshot.timezone))
    at = NIGHT_TIME if after_hours else OFFICE_TIME
    return local.replace(hour=at.hour, minute=at.minute).astimezone(UTC)


def _policy(snapshot: CompanySnapshot, embedder: SentenceEmbedder, after_hours: bool
            ) -> DialoguePolicy:
    meaning = EmbeddingMeaning(embedder, embed_entries(embedder, snapshot.knowledge),
                               CatalogVectors.of(embedder))
    moment = _moment(snapshot, after_hours)
    return DialoguePolicy(snapshot, None, clock=lambda: moment, meaning=meaning)


async def run_suite(embedder: SentenceEmbedder, scenarios: list[Scenario] | None = None
                    ) -> list[Result]:
    companies = load_companies()
    policies = {
        (key, after): _policy(snapshot, embedder, after)
        for key, snapshot in companies.items() for after in (False, True)
    }
    results = []
    for scenario in scenarios if scenarios is not None else load_scenarios():
        policy = policies[(scenario.company, scenario.after_hours)]
        snapshot = companies[scenario.company]
        state = ConversationState.new()
        called = snapshot.primary_number or ""
        ctx = CallContext("CA" + "0" * 32, CALLER, called, _moment(snapshot, False), None)
        outcome = await policy.respond(state, ctx, scenario.say, scenario.confidence).complete()
        results.append(judge(scenario, snapshot, state, outcome))
    return results


def judge(scenario: Scenario, snapshot: CompanySnapshot, state: ConversationState,
          outcome: TurnOutcome) -> Result:
    text = outcome.text.lower()
    action = outcome.action
    problems = [f"said {word!r}" for word in scenario.must_not_say if word.lower() in text]
    problems += _expectation_problems(scenario, snapshot, state, outcome)
    missing = [word for word in (*scenario.facts, *scenario.says) if word.lower() not in text]
    if missing and not problems:
        problems.append(f"reply lacks {missing}")
    reason = outcome.fallback_reason or type(action).__name__
    return Result(scenario, not problems, "; ".join(problems), outcome.text,
                  f"{outcome.tier}/{reason}" if outcome.confidence is None
                  else f"{outcome.tier} {outcome.confidence:.2f}")


def _expectation_problems(scenario: Scenario, snapshot: CompanySnapshot,
                          state: ConversationState, outcome: TurnOutcome) -> list[str]:
    tier, action, expect = outcome.tier, outcome.action, scenario.expect
    on_call = snapshot.on_call_staff()
    numbers = {"office": snapshot.company_phone, "on_call": on_call.phone if on_call else None}
    taking_message = (tier is not Tier.EMERGENCY and state.mode is Mode.MESSAGE) or isinstance(
        action, TakeMessage)
    transferred_to = action.number if isinstance(action, Transfer) else None
    checks = {
        "answer": tier in KNOWLEDGE_TIERS,
        "emergency": tier is Tier.EMERGENCY and (
            scenario.to is None or transferred_to == numbers[scenario.to]),
        "not_emergency": tier is not Tier.EMERGENCY,
        "transfer": transferred_to is not None and transferred_to == numbers.get(scenario.to or ""),
        "message": taking_message,
        "hangup": isinstance(action, Hangup),
        "reask": isinstance(action, Listen) and tier in (Tier.FALLBACK, Tier.SILENCE)
        and outcome.knowledge_id is None,
        "book": tier is Tier.BOOKING or (
            transferred_to == numbers["office"] if not scenario.after_hours else taking_message),
        "no_answer": tier not in KNOWLEDGE_TIERS and tier is not Tier.EMERGENCY,
    }
    if checks[expect]:
        return []
    target = f" to {scenario.to}" if scenario.to else ""
    return [f"expected {expect}{target}, got {tier}"
            + (f" → {transferred_to}" if transferred_to else "")]
