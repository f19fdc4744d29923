"""Builders for dialogue-policy tests: an HVAC company, its staff and knowledge, a fake model.

Imported by the test modules next to it (pytest puts this folder on sys.path).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from typing import Any

from runtime.conversation import (
    CallContext,
    CallerContact,
    CompanySnapshot,
    ConversationState,
    DialoguePolicy,
    TurnBudget,
    TurnOutcome,
)
from runtime.conversation.meaning import MeaningScores
from runtime.providers.base import LlmEvent, LlmRequest, TextDelta
from tenancy.models import Company, CompanyQnA, Employee

# Wednesday 15 January 2025 in New York (EST, UTC-5).
OFFICE_HOURS = datetime(2025, 1, 15, 15, 0, tzinfo=UTC)  # 10:00 local
TWO_AM = datetime(2025, 1, 15, 7, 0, tzinfo=UTC)  # 02:00 local
COMPANY_NUMBER = "+12395550199"  # the Twilio number callers dial
OFFICE_PHONE = "+12395550100"
ON_CALL_PHONE = "+12395550111"
CALLER = "+12395557777"

KNOWLEDGE = [
    ("What are your business hours?", "We're open Monday to Friday, 9 to 5.",
     ["hours", "open", "close", "schedule"]),
    ("How much do you charge for a service call?", "Our service call fee is $89.",
     ["price", "cost", "service call fee", "diagnostic fee", "trip charge"]),
    ("What areas do you serve?", "We serve Naples, Bonita Springs and Fort Myers.",
     ["service area", "areas", "cities"]),
    ("Do you offer financing?", "Yes, we offer financing with approved credit.",
     ["financing", "payment plan", "monthly payments", "credit"]),
    ("What warranty do you offer on repairs?", "All repairs carry a one-year warranty.",
     ["warranty", "guarantee"]),
    ("Are your technicians licensed and insured?", "Yes, every technician is licensed.",
     ["licensed", "insured", "certified"]),
    ("Do you offer a maintenance plan?", "Our Comfort Club plan includes two tune-ups a year.",
     ["maintenance plan", "membership", "club", "tune-up plan"]),
]


def make_company(**overrides: Any) -> Company:
    document: dict[str, Any] = {
        "companyName": "Arctic Air Heating & Cooling",
        "companyPhone": OFFICE_PHONE,
        "tradeCategories": ["HVAC"],
        "timezone": "America/New_York",
        "description": "Family-owned HVAC contractor since 1998.",
        "serviceArea": ["Naples", "Fort Myers"],
        "twilioConfig": {"phoneNumbers": [{"phoneNumber": COMPANY_NUMBER, "isPrimary": True}]},
        "agentSetup": {"services": ["AC repair", "Furnace repair", "Duct cleaning"]},
    }
    document.update(overrides)
    return Company.model_validate(document)


def make_knowledge(*, inactive: Sequence[int] = ()) -> list[CompanyQnA]:
    return [
        CompanyQnA(question=q, answer=a, keywords=k, isActive=index not in inactive)
        for index, (q, a, k) in enumerate(KNOWLEDGE)
    ]


def make_staff(*, on_call: bool = True) -> list[Employee]:
    return [
        Employee(name="Sam Ortiz", role="Dispatcher", phone="+12395550122"),
        Employee(name="Dana Reyes", role="Technician", phone=ON_CALL_PHONE, isOnCall=on_call),
    ]


def make_snapshot(company: Company | None = None, **kwargs: Any) -> CompanySnapshot:
    return CompanySnapshot.from_documents(
        company or make_company(), kwargs.get("knowledge", make_knowledge()),
        kwargs.get("staff", make_staff()),
    )


class FixedMeaning:
    """A meaning scorer that scores every utterance the same."""

    def __init__(self, scores: MeaningScores) -> None:
        self._scores = scores

    def score(self, utterance: str) -> MeaningScores:
        return self._scores


def make_context(contact: CallerContact | None = None) -> CallContext:
    return CallContext("CA" + "0" * 32, CALLER, COMPANY_NUMBER, OFFICE_HOURS, contact)


class FakeModel:
    """A language model double: scripted events, optional failure, hang or gate."""

    def __init__(
        self,
        events: Sequence[LlmEvent] = (TextDelta("I can help with that."),),
        *,
        fail: BaseException | None = None,
        hang: bool = False,
        gate: asyncio.Event | None = None,
    ) -> None:
        self.events = list(events)
        self.fail = fail
        self.hang = hang
        self.gate = gate  # when set, the stream waits for it after the first event
        self.requests: list[LlmRequest] = []
        self.finished = False

    async def stream(self, request: LlmRequest) -> AsyncIterator[LlmEvent]:
        self.requests.append(request)
        if self.fail is not None:
            raise self.fail
        if self.hang:
            await asyncio.Event().wait()
        for index, event in enumerate(self.events):
            if index == 1 and self.gate is not None:
                await self.gate.wait()
            yield event
        self.finished = True


def policy_for(
    llm: FakeModel | None = None,
    at: datetime = OFFICE_HOURS,
    snapshot: CompanySnapshot | None = None,
    contact: CallerContact | None = None,
    budget: TurnBudget | None = None,
) -> tuple[DialoguePolicy, ConversationState, CallContext]:
    """A policy at a fixed company-clock moment, a blank call state and a call context."""
    policy = DialoguePolicy(
        snapshot or make_snapshot(), llm, clock=lambda: at, budget=budget or TurnBudget()
    )
    return policy, ConversationState.new(), make_context(contact)


async def say(
    policy: DialoguePolicy, state: ConversationState, ctx: CallContext, utterance: str,
    stt_confidence: float | None = None,
) -> TurnOutcome:
    return await policy.respond(state, ctx, utterance, stt_confidence).complete()


async def talk(
    policy: DialoguePolicy, state: ConversationState, ctx: CallContext, *utterances: str,
) -> TurnOutcome:
    """Say each utterance in turn; the agent's last answer."""
    outcome = None
    for utterance in utterances:
        outcome = await say(policy, state, ctx, utterance)
    assert outcome is not None
    return outcome
