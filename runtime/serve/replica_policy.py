"""The dialogue policy an API replica runs for a company (the knowledge tester, texts).

The replica has the embedding model loaded, so it scores meaning like a call actor. The
knowledge tester runs without a language model (answers come from knowledge, the trade
catalog and the fixed lines); texts get the replica's language model when one is
configured (the same provider choice as a call actor's, `providers/factory.py`), with a
prompt written for a text and the time `budget` the text's webhook leaves it.
"""

from __future__ import annotations

import asyncio

from runtime.conversation import BookingHandler, CompanySnapshot, DialoguePolicy, TurnBudget
from runtime.meaning.scorer import EmbeddingMeaning, call_meaning
from runtime.providers.base import LanguageModel
from runtime.providers.embedding import SentenceEmbedder
from tenancy.models import Company
from tenancy.store import TenantStore


async def replica_policy(store: TenantStore, company: Company, embedder: SentenceEmbedder,
                         booking: BookingHandler | None = None, *,
                         text_model: LanguageModel | None = None,
                         budget: TurnBudget = TurnBudget(),
                         ) -> tuple[DialoguePolicy, EmbeddingMeaning]:
    """`text_model`: the language model answering a text (None: no model tier)."""
    knowledge, employees = await asyncio.gather(store.knowledge.list(), store.employees.list())
    snapshot = CompanySnapshot.from_documents(company, knowledge, employees)
    meaning = await call_meaning(store, embedder, snapshot)
    policy = DialoguePolicy(snapshot, text_model, booking=booking, meaning=meaning,
                            budget=budget, channel="text")
    return policy, meaning
