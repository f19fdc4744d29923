"""Vectors of a company's knowledge entries: made when an entry is written, read per call.

An entry is embedded from its question and keywords (what a caller's words are compared
with; the answer is what the agent says back). The stored vector names the model and a
digest of that text, so a vector from another model or of an entry's older wording is
recomputed instead of used.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from runtime.providers.embedding import SentenceEmbedder, Vector
from tenancy.store import TenantStore
from tenancy.vectors import StoredVector


class Entry(Protocol):
    """A stored Q&A (`CompanyQnA`) or its call-time copy (`KnowledgeEntry`)."""

    @property
    def id(self) -> str: ...
    @property
    def question(self) -> str: ...
    @property
    def keywords(self) -> Sequence[str]: ...


@dataclass(frozen=True)
class EntryVectorNote:
    """What the API tells a client about an entry's vector."""

    truncated: bool
    note: str = ""


def entry_text(question: str, keywords: Sequence[str]) -> str:
    return f"{question} {', '.join(keywords)}".strip()


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def embed_entry(embedder: SentenceEmbedder, question: str, keywords: Sequence[str]
                ) -> StoredVector:
    text = entry_text(question, keywords)
    embedding = embedder.embed(text)
    return StoredVector(embedder.model_id, _digest(text), embedding.vector.tobytes(),
                        embedding.truncated)


def vector_of(stored: StoredVector) -> Vector:
    return np.frombuffer(stored.data, dtype=np.float32)


def embed_entries(embedder: SentenceEmbedder, entries: Iterable[Entry]) -> dict[str, Vector]:
    """Vectors made on the spot (no store): offline evaluation and tests."""
    return {entry.id: vector_of(embed_entry(embedder, entry.question, entry.keywords))
            for entry in entries}


def _fresh(stored: StoredVector | None, embedder: SentenceEmbedder, entry: Entry) -> bool:
    return (stored is not None and stored.model == embedder.model_id
            and stored.text_digest == _digest(entry_text(entry.question, entry.keywords)))


def note_of(stored: StoredVector, embedder: SentenceEmbedder) -> EntryVectorNote:
    if not stored.truncated:
        return EntryVectorNote(False)
    return EntryVectorNote(
        True,
        f"question and keywords are longer than the {embedder.max_tokens} tokens the matcher "
        "reads; only their start is used to recognise callers' questions",
    )


async def write_entry_vector(store: TenantStore, embedder: SentenceEmbedder, entry: Entry
                             ) -> EntryVectorNote:
    stored = embed_entry(embedder, entry.question, entry.keywords)
    await store.knowledge_vectors.save({entry.id: stored})
    return note_of(stored, embedder)


async def load_entry_vectors(
    store: TenantStore, embedder: SentenceEmbedder, entries: Iterable[Entry]
) -> dict[str, Vector]:
    """The entries' vectors; missing or stale ones (older data, edited text) made and saved."""
    entries = list(entries)
    stored = await store.knowledge_vectors.load(entry.id for entry in entries)
    remade = {
        entry.id: embed_entry(embedder, entry.question, entry.keywords)
        for entry in entries if not _fresh(stored.get(entry.id), embedder, entry)
    }
    await store.knowledge_vectors.save(remade)
    stored.update(remade)
    return {entry_id: vector_of(value) for entry_id, value in stored.items()}
