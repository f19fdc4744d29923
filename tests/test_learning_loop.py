"""The learning loop against a real Redis and real Parquet call logs: gaps clustered by
meaning into persisted suggestions, refreshed incrementally, approved into knowledge
entries or rejected for good, and the funnel that counts it all."""

from __future__ import annotations

import itertools
import secrets
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from analytics.events import CallEnded, CallEventBase, CallStarted, TurnRecorded
from analytics.repository import CallLogRepository
from runtime.learning.suggestions import LearningLoop, answer_request
from runtime.providers.base import LlmEvent, LlmRequest, TextDelta
from runtime.providers.embedding_doubles import HashedWordsEmbedder
from runtime.providers.gemini import build_gemini_request
from tenancy.errors import Conflict, InvalidDocument, NotFound
from tenancy.models import Company, CompanyQnA, QnAFields
from tenancy.secrets import SecretBox
from tenancy.store import TenantStore
from tests.analytics.ingest import ingest

T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)
_calls = itertools.count()


def gap_call(company_id: str, questions: list[str], *, knowledge_id: str | None = None,
             at: datetime = T0) -> list[CallEventBase]:
    """A call whose every question the agent could not answer (or, with `knowledge_id`,
    answered from that entry)."""
    base = {"company_id": company_id, "call_sid": f"CA{next(_calls):032d}", "started_at": at}
    events: list[CallEventBase] = [
        CallStarted(**base, caller_number="+12395550100", called_number="+12395550111")]
    for index, question in enumerate(questions):
        answered = knowledge_id is not None
        events.append(TurnRecorded(
            **base, turn_index=index, at=at + timedelta(seconds=10 * (index + 1)),
            caller_text=question, agent_text="Sorry, I'm not sure.",
            tier="knowledge" if answered else "fallback",
            confidence=0.9 if answered else 0.2, total_ms=5, match_ms=1,
            knowledge_id=knowledge_id))
    events.append(CallEnded(**base, outcome="abandoned", duration_s=60,
                            turn_count=len(questions), ended_at=at + timedelta(minutes=1)))
    return events


class ScriptedDrafter:
    def __init__(self, text: str) -> None:
        self.text, self.requests = text, []

    async def stream(self, request: LlmRequest) -> AsyncIterator[LlmEvent]:
        self.requests.append(request)
        yield TextDelta(self.text)


@pytest.fixture
def company() -> Company:
    return Company(companyName="Atlas Air", tradeCategories=["HVAC"])


@pytest.fixture
def store(redis_async: aioredis.Redis, company: Company) -> TenantStore:
    return TenantStore(redis_async, company.id, SecretBox(secrets.token_hex(16)))


@pytest.fixture
def world(tmp_path: Path, redis_async: aioredis.Redis, store: TenantStore):
    pool = ThreadPoolExecutor(2)
    repository = CallLogRepository(str(tmp_path))

    async def log(*calls: list[CallEventBase]) -> None:
        await ingest(redis_async, tmp_path, [e for call in calls for e in call])

    def loop(drafter: ScriptedDrafter | None = None) -> LearningLoop:
        return LearningLoop(repository, HashedWordsEmbedder(), drafter, pool)

    yield log, loop
    pool.shutdown()


async def add_entry_to(store: TenantStore):
    async def add(fields: QnAFields) -> CompanyQnA:
        entry: CompanyQnA = await store.knowledge.add(fields)
        return entry
    return add


async def test_gaps_become_suggestions_clustered_by_meaning(world, store, company):
    log, loop = world
    cid = company.id
    await log(gap_call(cid, ["do you offer financing", "hello"]),
              gap_call(cid, ["Do you guys offer financing?"], at=T0 + timedelta(minutes=5)),
              gap_call(cid, ["can you service a wood stove"]))
    learning = loop()
    assert await learning.refresh(store, company) == 3  # "hello" asks nothing
    found = {s.question: s for s in await store.suggestions.list()}
    assert set(found) == {"do you offer financing", "can you service a wood stove"}
    financing = found["do you offer financing"]
    assert financing.askedCount == 2 and financing.status == "open"
    assert financing.examples == ["do you offer financing", "Do you guys offer financing?"]
    assert financing.firstSeen == T0 + timedelta(seconds=10)
    assert financing.lastSeen == T0 + timedelta(minutes=5, seconds=10)
    assert financing.proposedAnswer == ""  # offline: no draft

    # Incremental: nothing new, nothing done; new gaps only are clustered.
    assert await learning.refresh(store, company) == 0
    await log(gap_call(cid, ["you offer financing?"], at=T0 + timedelta(minutes=9)))
    assert await learning.refresh(store, company) == 1
    assert (await store.suggestions.get(financing.id)).askedCount == 3
    assert (await store.suggestions.watermark()).gapsSeen == 4


async def test_a_rejected_suggestion_absorbs_its_questions_instead_of_coming_back(
        world, store, company):
    log, loop = world
    await log(gap_call(company.id, ["do you sell generators"]))
    learning = loop()
    await learning.refresh(store, company)
    [suggestion] = await store.suggestions.list()
    rejected = await learning.reject(store, suggestion.id)
    assert rejected.status == "rejected" and rejected.decidedAt is not None
    await log(gap_call(company.id, ["do you sell generators?", "so do you sell generators"]))
    await learning.refresh(store, company)
    [again] = await store.suggestions.list()
    assert again.id == suggestion.id and again.status == "rejected"
    assert (again.askedCount, again.askedSinceDecision) == (1, 2)
    with pytest.raises(Conflict):
        await learning.reject(store, suggestion.id)


async def test_approving_adds_one_knowledge_entry_and_bad_approvals_write_nothing(
        world, store, company):
    log, loop = world
    await log(gap_call(company.id, ["do you offer financing"]))
    learning = loop()
    await learning.refresh(store, company)
    [suggestion] = await store.suggestions.list()
    add = await add_entry_to(store)

    with pytest.raises(InvalidDocument):  # no proposed answer and none given
        await learning.approve(store, suggestion.id, None, add)
    with pytest.raises(NotFound):
        await learning.approve(store, "f" * 24, "Yes.", add)
    assert await store.knowledge.list() == []
    assert (await store.suggestions.get(suggestion.id)).status == "open"

    approved, entry = await learning.approve(store, suggestion.id, "Yes, through GreenSky.", add)
    assert approved.status == "approved" and approved.knowledgeId == entry.id
    assert (entry.question, entry.answer) == ("do you offer financing", "Yes, through GreenSky.")
    with pytest.raises(Conflict):
        await learning.approve(store, suggestion.id, "Again.", add)
    assert [e.id for e in await store.knowledge.list()] == [entry.id]


async def test_an_approval_whose_suggestion_cannot_be_saved_takes_its_entry_back(
        world, store, company, monkeypatch):
    log, loop = world
    await log(gap_call(company.id, ["do you offer financing"]))
    learning = loop()
    await learning.refresh(store, company)
    [suggestion] = await store.suggestions.list()

    async def broken_save(_suggestion) -> None:
        raise ConnectionError("redis went away")

    monkeypatch.setattr(store.suggestions, "save", broken_save)
    with pytest.raises(ConnectionError):
        await learning.approve(store, suggestion.id, "Yes.", await add_entry_to(store))
    assert await store.knowledge.list() == []


async def test_a_drafting_model_proposes_answers(world, store, company):
    log, loop = world
    await log(gap_call(company.id, ["do you offer financing"]))
    drafter = ScriptedDrafter("Yes, we offer financing through [lender] on approved credit.")
    await loop(drafter).refresh(store, company)
    [suggestion] = await store.suggestions.list()
    assert suggestion.proposedAnswer == drafter.text
    kwargs = build_gemini_request(answer_request("gemini-2.5-flash", company, suggestion))
    assert "Atlas Air, a HVAC company" in str(kwargs["config"].system_instruction)
    assert "do you offer financing" in kwargs["contents"][0].parts[0].text
    assert len(drafter.requests) == 1


async def test_the_funnel_counts_answers_from_approved_entries_after_approval(
        world, store, company):
    log, loop = world
    await log(gap_call(company.id, ["do you offer financing", "do you sell generators"]))
    learning = loop()
    await learning.refresh(store, company)
    first = next(s for s in await store.suggestions.list() if "financing" in s.question)
    _, entry = await learning.approve(store, first.id, "Yes.", await add_entry_to(store))
    now = datetime.now(UTC)
    await log(gap_call(company.id, ["financing?"], knowledge_id=entry.id, at=now),
              gap_call(company.id, ["any financing"], knowledge_id=entry.id,
                       at=now - timedelta(days=1)))  # before the approval: not counted
    assert await learning.funnel(store) == {
        "gaps": 2, "suggestions": 2, "open": 1, "approved": 1, "rejected": 0,
        "answeredSince": 1}
