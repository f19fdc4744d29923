"""Knowledge-base routes beyond plain CRUD: entry vectors on write, and the match tester.

`after_knowledge_write` / `after_knowledge_delete` are the knowledge collection's hooks
(`records.py`): an entry's sentence vector is made when the entry is written and kept
with the tenant's knowledge, so a call only embeds its caller's words. `POST
/knowledge/test` shows what the agent would do with a question, offline (no language
model): the tier and reply, and per knowledge tier the best entry and its runner-up.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Request
from pydantic import Field

from runtime.conversation import CallContext, ConversationState
from runtime.conversation.knowledge import KnowledgeMatch
from runtime.conversation.meaning import DECISION_MARGIN, Ranked
from runtime.conversation.outcome import action_to_dict
from runtime.meaning.entry_vectors import write_entry_vector
from runtime.serve.auth import CompanyGuard
from runtime.serve.replica_policy import replica_policy
from runtime.serve.services import Services
from runtime.serve.views import services_of
from tenancy.models import ApiModel, CompanyQnA
from tenancy.store import TenantStore

router = APIRouter(prefix="/api/company/{company_id}", tags=["knowledge"])
TEST_CALL_SID = "CA" + "0" * 32


async def after_knowledge_write(request: Request, store: TenantStore, entry: CompanyQnA
                                ) -> dict[str, Any]:
    """Embed the entry now; say so when it was too long to embed in full."""
    embedder = services_of(request).embedder
    note = await write_entry_vector(store, embedder, entry)
    return {"notes": [note.note]} if note.truncated else {}


async def after_knowledge_delete(request: Request, store: TenantStore, entry_id: str) -> None:
    await store.knowledge_vectors.delete(entry_id)


class KnowledgeTest(ApiModel):
    question: Annotated[str, Field(min_length=1, max_length=500)]


def _match_view(match: KnowledgeMatch | None) -> dict[str, Any] | None:
    if match is None:
        return None
    entry = match.entry
    source = "trade" if entry.id.startswith("trade:") else "company"
    return {"entryId": entry.id, "source": source, "question": entry.question,
            "score": match.confidence}


def _tier_view(ranked: Ranked) -> dict[str, Any]:
    return {"best": _match_view(ranked.best), "runnerUp": _match_view(ranked.runner_up)}


@router.post("/knowledge/test", summary="What the agent would answer to a question")
async def test_knowledge(request: Request, access: CompanyGuard, body: KnowledgeTest
                         ) -> dict[str, Any]:
    return await try_question(services_of(request), access.company_id, body.question)


async def try_question(services: Services, company_id: str, question: str) -> dict[str, Any]:
    """What the agent would do with `question` (also the console's "try a question")."""
    company = await services.registry.get(company_id)
    store = services.registry.tenant(company_id)
    policy, meaning = await replica_policy(store, company, services.embedder)
    snapshot = policy.snapshot
    ctx = CallContext(TEST_CALL_SID, "", snapshot.primary_number or "", datetime.now(UTC))
    outcome = await policy.respond(ConversationState.new(), ctx, question).complete()
    ours, trade, _ = policy.rankings(question, meaning.score(question))
    return {
        "question": question,
        "tier": str(outcome.tier),
        "reply": outcome.text,
        "action": action_to_dict(outcome.action),
        "score": outcome.confidence,
        "knowledgeId": outcome.knowledge_id,
        "threshold": snapshot.settings.knowledge_threshold,
        "margin": DECISION_MARGIN,
        "company": _tier_view(ours),
        "trade": _tier_view(trade),
    }
