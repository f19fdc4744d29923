"""Knowledge entries' sentence vectors in the tenant store: made once, remade when stale."""

from __future__ import annotations

import pytest
import redis.asyncio as aioredis

from runtime.meaning.entry_vectors import load_entry_vectors, write_entry_vector
from runtime.providers.embedding import Embedding
from runtime.providers.embedding_doubles import HashedWordsEmbedder
from tenancy.models import CompanyProfile, QnAFields, QnAUpdate
from tenancy.registry import CompanyRegistry
from tenancy.secrets import SecretBox
from tenancy.store import TenantStore

KEY = "vectors-test-secret-key-0123456789"


class CountingEmbedder(HashedWordsEmbedder):
    def __init__(self, model: str = "hashed") -> None:
        super().__init__(max_tokens=12)
        self._model = model
        self.texts: list[str] = []

    @property
    def model_id(self) -> str:
        return self._model

    def embed(self, text: str) -> Embedding:
        self.texts.append(text)
        return super().embed(text)


@pytest.fixture
async def store(redis_async: aioredis.Redis) -> TenantStore:
    registry = CompanyRegistry(redis_async, SecretBox(KEY))
    company = await registry.create(CompanyProfile(companyName="Vector HVAC",
                                                   tradeCategories=["HVAC"]))
    return registry.tenant(company.id)


async def test_vectors_are_made_once_and_kept_with_the_tenant(store: TenantStore) -> None:
    entry = await store.knowledge.add(QnAFields(question="Do you fix furnaces?", answer="Yes.",
                                                keywords=["furnace"]))
    embedder = CountingEmbedder()
    await write_entry_vector(store, embedder, entry)
    vectors = await load_entry_vectors(store, embedder, [entry])
    assert embedder.texts == ["Do you fix furnaces? furnace"]  # not embedded again per call
    assert set(vectors) == {entry.id} and vectors[entry.id].shape == (256,)


async def test_missing_edited_or_other_model_vectors_are_remade(store: TenantStore) -> None:
    entry = await store.knowledge.add(QnAFields(question="Do you fix boilers?", answer="Yes."))
    embedder = CountingEmbedder()
    await load_entry_vectors(store, embedder, [entry])  # missing: made and saved
    edited = await store.knowledge.update(entry.id, QnAUpdate(question="Do you fix heat pumps?"))
    await load_entry_vectors(store, embedder, [edited])  # stale text: remade
    await load_entry_vectors(store, embedder, [edited])  # fresh: kept
    other = CountingEmbedder(model="another-model")
    await load_entry_vectors(store, other, [edited])  # another model's space: remade
    assert embedder.texts == ["Do you fix boilers?", "Do you fix heat pumps?"]
    assert other.texts == ["Do you fix heat pumps?"]


async def test_an_entry_too_long_to_embed_gets_a_note(store: TenantStore) -> None:
    long_question = "Do you service " + " and ".join(f"brand{n}" for n in range(40)) + "?"
    entry = await store.knowledge.add(QnAFields(question=long_question, answer="Yes."))
    note = await write_entry_vector(store, CountingEmbedder(), entry)
    assert note.truncated and "12 tokens" in note.note
    short = await store.knowledge.add(QnAFields(question="Open Sundays?", answer="No."))
    assert not (await write_entry_vector(store, CountingEmbedder(), short)).truncated

