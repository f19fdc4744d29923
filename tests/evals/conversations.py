"""Multi-turn evals: whole calls played through the real dialogue policy and booking flow.

A conversation (`conversations/*.yaml`) is a list of caller lines for one sample company
at a fixed moment (Wednesday 15 January 2025, 10:00 local, or 02:00 `after_hours`), with
what each agent reply must show and what must hold when the call is over (a visit booked
at this time for this service and name, the caller's visit moved or cancelled, a message
taken, nothing booked). Bookings go to a `RulesCalendar`: the company's real booking rules
over an in-memory book. The real embedding model scores meaning, as in the single-turn
suite; no language model, no network.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from runtime.conversation import (
    CallContext,
    CallerContact,
    CompanySnapshot,
    ConversationState,
    DialoguePolicy,
)
from runtime.conversation.booking_flow import BookingConversation
from runtime.conversation.outcome import Hangup, Listen, TakeMessage, Transfer, TurnOutcome
from runtime.meaning.entry_vectors import embed_entries
from runtime.meaning.scorer import CatalogVectors, EmbeddingMeaning
from runtime.providers.embedding import SentenceEmbedder
from tenancy.merge import deep_merge
from tenancy.models import Company, CompanyQnA, Employee
from tests.evals.rules_calendar import RulesCalendar
from tests.evals.scenarios import CALLER, NIGHT_TIME, OFFICE_TIME, SUITE, WEDNESDAY

ACTIONS = {"listen": Listen, "transfer": Transfer, "message": TakeMessage, "hangup": Hangup}
END_CHECKS = ("booked", "no_booking", "moved", "cancelled", "message", "transferred")


@dataclass(frozen=True)
class Line:
    """One caller line and what the agent's reply to it must show."""

    say: str
    tier: str | None = None
    action: str | None = None  # listen | transfer | message | hangup
    to: str | None = None  # on_call | office, for a transfer
    says: tuple[str, ...] = ()
    must_not_say: tuple[str, ...] = ()

    @classmethod
    def of(cls, raw: dict[str, Any] | str) -> Line:
        if isinstance(raw, str):
            return cls(raw)
        if raw.get("action") not in (None, *ACTIONS):
            raise ValueError(f"unknown action in {raw}")
        return cls(raw["say"], raw.get("tier"), raw.get("action"), raw.get("to"),
                   tuple(raw.get("says", ())), tuple(raw.get("must_not_say", ())))


@dataclass(frozen=True)
class Conversation:
    category: str
    name: str
    company: str
    lines: tuple[Line, ...]
    end: dict[str, Any]
    after_hours: bool = False
    changes: dict[str, Any] = field(default_factory=dict)  # merged into the company document
    existing: dict[str, Any] | None = None  # the caller's visit booked before the call
    contact: str | None = None  # a returning caller's name

    @classmethod
    def of(cls, category: str, raw: dict[str, Any]) -> Conversation:
        unknown = set(raw.get("end", {})) - set(END_CHECKS)
        if unknown:
            raise ValueError(f"unknown end checks {unknown} in {raw['name']}")
        return cls(category, raw["name"], raw["company"],
                   tuple(Line.of(line) for line in raw["turns"]), raw.get("end", {}),
                   bool(raw.get("after_hours", False)), raw.get("company_changes", {}),
                   raw.get("existing"), raw.get("contact"))


@dataclass
class ConversationResult:
    conversation: Conversation
    problems: list[str]
    transcript: list[tuple[str, str, str]]  # (caller, tier, agent)

    @property
    def passed(self) -> bool:
        return not self.problems


def load_conversations(folder: Path = SUITE / "conversations") -> list[Conversation]:
    documents = [yaml.safe_load(path.read_text()) for path in sorted(folder.glob("*.yaml"))]
    return [Conversation.of(document["category"], raw)
            for document in documents for raw in document["conversations"]]


def local_time(company: Company, text: str) -> datetime:
    """"2025-01-16 08:00" in the company's zone."""
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(company.timezone))


class ConversationRunner:
    """Plays conversations; the embedding work per company is done once."""

    def __init__(self, embedder: SentenceEmbedder, path: Path = SUITE / "companies.yaml"):
        self._embedder = embedder
        self._catalog = CatalogVectors.of(embedder)
        self._raw = yaml.safe_load(path.read_text())
        self._vectors: dict[str, Any] = {}

    async def play(self, conversation: Conversation) -> ConversationResult:
        raw = self._raw[conversation.company]
        company = Company.model_validate(deep_merge(raw["document"], conversation.changes))
        knowledge = [CompanyQnA.model_validate(entry) for entry in raw["knowledge"]]
        staff = [Employee.model_validate(person) for person in raw["staff"]]
        snapshot = CompanySnapshot.from_documents(company, knowledge, staff)
        local = datetime(*WEDNESDAY, tzinfo=ZoneInfo(company.timezone))
        at = NIGHT_TIME if conversation.after_hours else OFFICE_TIME
        moment = local.replace(hour=at.hour, minute=at.minute).astimezone(UTC)
        calendar = RulesCalendar(company, lambda: moment)
        existing = None
        if conversation.existing is not None:
            existing = calendar.add(local_time(company, conversation.existing["start"]),
                                    conversation.existing.get("service", calendar.services[0]),
                                    CALLER, conversation.contact or "")
        policy = DialoguePolicy(snapshot, None, clock=lambda: moment, meaning=self._meaning(
            conversation.company, snapshot), booking=BookingConversation(calendar, lambda: moment))
        contact = CallerContact(conversation.contact, 2) if conversation.contact else None
        ctx = CallContext("CA" + "0" * 32, CALLER, snapshot.primary_number or "", moment,
                          contact)
        state, problems, transcript = ConversationState.new(), [], []
        outcomes: list[TurnOutcome] = []
        for number, line in enumerate(conversation.lines, 1):
            outcome = await policy.respond(state, ctx, line.say).complete()
            outcomes.append(outcome)
            transcript.append((line.say, str(outcome.tier), outcome.text))
            problems += [f"turn {number}: {p}" for p in _line_problems(line, outcome, snapshot)]
            if isinstance(outcome.action, Transfer) and number < len(conversation.lines):
                problems.append(f"turn {number}: transferred before the call was over")
                break
        problems += _end_problems(conversation, company, calendar, existing, outcomes, snapshot)
        return ConversationResult(conversation, problems, transcript)

    def _meaning(self, key: str, snapshot: CompanySnapshot) -> EmbeddingMeaning:
        if key not in self._vectors:
            self._vectors[key] = embed_entries(self._embedder, snapshot.knowledge)
        return EmbeddingMeaning(self._embedder, self._vectors[key], self._catalog)


async def run_conversations(embedder: SentenceEmbedder,
                            conversations: list[Conversation] | None = None
                            ) -> list[ConversationResult]:
    runner = ConversationRunner(embedder)
    return [await runner.play(conversation)
            for conversation in (conversations if conversations is not None
                                 else load_conversations())]


def _transfer_target(snapshot: CompanySnapshot, to: str | None) -> str | None:
    on_call = snapshot.on_call_staff()
    return {"office": snapshot.company_phone,
            "on_call": on_call.phone if on_call else None}.get(to or "")


def _line_problems(line: Line, outcome: TurnOutcome, snapshot: CompanySnapshot) -> list[str]:
    text, problems = outcome.text.lower(), []
    if line.tier is not None and str(outcome.tier) != line.tier:
        problems.append(f"expected tier {line.tier}, got {outcome.tier}")
    if line.action is not None and not isinstance(outcome.action, ACTIONS[line.action]):
        problems.append(f"expected {line.action}, got {type(outcome.action).__name__}")
    if line.to is not None and (not isinstance(outcome.action, Transfer)
                                or outcome.action.number != _transfer_target(snapshot, line.to)):
        problems.append(f"expected a transfer to {line.to}")
    missing = [word for word in line.says if word.lower() not in text]
    if missing:
        problems.append(f"reply lacks {missing}")
    problems += [f"said {word!r}" for word in line.must_not_say if word.lower() in text]
    return problems


def _end_problems(conversation: Conversation, company: Company, calendar: RulesCalendar,
                  existing: Any, outcomes: list[TurnOutcome], snapshot: CompanySnapshot
                  ) -> list[str]:
    end, problems = conversation.end, []
    new = [held for held in calendar.confirmed() if existing is None
           or held.visit.id != existing.id]
    if "booked" in end:
        wanted = end["booked"]
        if len(new) != 1:
            problems.append(f"expected one new booking, found {len(new)}")
        else:
            held = new[0]
            got = {"start": held.visit.start, "service": held.visit.service,
                   "name": held.name, "address": held.visit.address}
            want = {"start": local_time(company, wanted["start"]),
                    **{key: wanted.get(key, got[key]) for key in ("service", "name", "address")}}
            if got != want:
                problems.append(f"booked {got}, expected {want}")
            if not any(o.appointment and o.appointment.change == "booked" for o in outcomes):
                problems.append("no turn reported the booking")
    if end.get("no_booking") and new:
        problems.append(f"booked {[h.visit.start.isoformat() for h in new]} but should not")
    if "moved" in end or "cancelled" in end:
        held = calendar.held[existing.id] if existing is not None else None
        if held is None:
            problems.append("the conversation has no existing visit")
        elif "moved" in end and (held.status != "confirmed" or held.visit.start
                                 != local_time(company, end["moved"])):
            problems.append(f"the visit is {held.status} at {held.visit.start}, expected "
                            f"moved to {end['moved']}")
        elif end.get("cancelled") and held.status != "cancelled":
            problems.append("the visit was not cancelled")
    taken = [o.action for o in outcomes if isinstance(o.action, TakeMessage)]
    if "message" in end:
        if not taken:
            problems.append("no message was taken")
        else:
            expected = end["message"] or {}
            if "urgent" in expected and taken[-1].urgent != expected["urgent"]:
                problems.append(f"message urgent={taken[-1].urgent}")
            if "name" in expected and taken[-1].caller_name != expected["name"]:
                problems.append(f"message from {taken[-1].caller_name!r}")
    if "transferred" in end:
        transfers = [o.action for o in outcomes if isinstance(o.action, Transfer)]
        target = _transfer_target(snapshot, end["transferred"])
        if not transfers or transfers[-1].number != target:
            problems.append(f"not transferred to {end['transferred']}")
    return problems


def render_conversations(results: list[ConversationResult], show_passes: bool = False) -> str:
    """Rows for the eval table (one per category), then each failure with its transcript."""
    lines = [f"{'conversations':<14} {'passed':>7} {'total':>6} {'rate':>7}"]
    for category in sorted({r.conversation.category for r in results}):
        mine = [r for r in results if r.conversation.category == category]
        passed = sum(r.passed for r in mine)
        lines.append(f"{category:<14} {passed:>7} {len(mine):>6} {passed / len(mine):>7.1%}")
    for result in results:
        if result.passed and not show_passes:
            continue
        conversation = result.conversation
        mark = "ok  " if result.passed else "FAIL"
        lines.append(f"{mark} [{conversation.category}] {conversation.company}: "
                     f"{conversation.name}")
        for problem in result.problems:
            lines.append(f"     {problem}")
        for caller, tier, agent in result.transcript if not result.passed else ():
            lines.append(f"       caller: {caller!r}")
            lines.append(f"       agent ({tier}): {agent[:160]!r}")
    return "\n".join(lines)
