"""The dialogue policy an API replica runs for a company (the knowledge tester, texts).

The replica has the embedding model loaded, so it scores meaning like a call actor; it
holds no language model, so answers come from knowledge, the trade catalog and the
fixed lines (and booking, when a handler is given).
"""

from __future__ import annotations

import asyncio

from runtime.conversation import BookingHandler, CompanySnapshot, DialoguePolicy
from runtime.meaning.scorer import EmbeddingMeaning, call_meaning
from runtime.providers.embedding import SentenceEmbedder
from tenancy.models import Company
from tenancy.store import TenantStore


async def replica_policy(store: TenantStore, company: Company, embedder: SentenceEmbedder,
                         booking: BookingHandler | None = None
                         ) -> tuple[DialoguePolicy, EmbeddingMeaning]:
    knowledge, employees = await asyncio.gather(store.knowledge.list(), store.employees.list())
    snapshot = CompanySnapshot.from_documents(company, knowledge, employees)
    meaning = await call_meaning(store, embedder, snapshot)
    return DialoguePolicy(snapshot, None, booking=booking, meaning=meaning), meaning
