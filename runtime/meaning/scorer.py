"""`EmbeddingMeaning`: one call's `MeaningScorer`, from sentence embeddings.

The shipped trade catalog and the hazard examples are embedded once per node
(`CatalogVectors.of`, through the node cache: `shared_vectors.py`), a company's entries
come from the tenant store (`entry_vectors.py`), and a turn embeds the caller's utterance
once and compares it with all of them in two matrix products.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from runtime.conversation.meaning import MeaningScores
from runtime.conversation.snapshot import CompanySnapshot
from runtime.conversation.trade_knowledge import trade_entries
from runtime.meaning.entry_vectors import entry_text, load_entry_vectors
from runtime.meaning.shared_vectors import sentence_vectors
from runtime.node_cache import NodeCache
from runtime.providers.embedding import SentenceEmbedder, Vector
from tenancy.catalog.hazard_examples import HAZARD_EXAMPLES, ORDINARY_EXAMPLES
from tenancy.catalog.intent_examples import EXAMPLES_BY_LABEL
from tenancy.models import TradeCategory
from tenancy.store import TenantStore

Matrix = npt.NDArray[np.float32]


def _stack(vectors: Sequence[Vector]) -> Matrix:
    return np.vstack(vectors) if vectors else np.zeros((0, 1), dtype=np.float32)


@dataclass(frozen=True)
class CatalogVectors:
    """Vectors of every trade's shipped Q&A and of the hazard and intent example sentences."""

    entry_ids: tuple[str, ...]
    entries: Matrix
    hazard_labels: tuple[str, ...]  # one per row of `hazards`
    hazards: Matrix
    ordinary: Matrix  # ordinary complaints a hazard must beat
    intent_labels: tuple[str, ...] = ()  # one per row of `intents`
    intents: Matrix = field(default_factory=lambda: _stack([]))

    @staticmethod
    def of(embedder: SentenceEmbedder, cache: NodeCache | None = None) -> CatalogVectors:
        """Built once per process and model (at process start-up, not on a caller's turn);
        with the node's `cache`, embedded once per node."""
        built = _CATALOGS.get(embedder.model_id)
        if built is None:
            built = _CATALOGS[embedder.model_id] = CatalogVectors.build(
                embedder, HAZARD_EXAMPLES, ORDINARY_EXAMPLES, EXAMPLES_BY_LABEL, cache)
        return built

    @staticmethod
    def build(embedder: SentenceEmbedder, hazard_examples: Mapping[str, Sequence[str]],
              ordinary: Sequence[str],
              intent_examples: Mapping[str, Sequence[str]] | None = None,
              cache: NodeCache | None = None) -> CatalogVectors:
        entries = [entry for trade in TradeCategory for entry in trade_entries(trade.value)]
        hazards = _labelled(hazard_examples)
        intents = _labelled(intent_examples or {})
        sections = ([entry_text(entry.question, entry.keywords) for entry in entries],
                    [text for _, text in hazards], list(ordinary),
                    [text for _, text in intents])
        rows = sentence_vectors(embedder, [text for texts in sections for text in texts],
                                cache)
        entry_rows, hazard_rows, ordinary_rows, intent_rows = _split(rows, sections)
        return CatalogVectors(
            tuple(entry.id for entry in entries), entry_rows,
            tuple(label for label, _ in hazards), hazard_rows, ordinary_rows,
            tuple(label for label, _ in intents), intent_rows,
        )


def _split(rows: Matrix, sections: Sequence[Sequence[str]]) -> list[Matrix]:
    """Each section's rows as its own array (as if embedded apart; empty: no rows)."""
    matrices, start = [], 0
    for texts in sections:
        matrices.append(rows[start:start + len(texts)].copy() if texts else _stack([]))
        start += len(texts)
    return matrices


def _labelled(examples: Mapping[str, Sequence[str]]) -> list[tuple[str, str]]:
    return [(label, text) for label, texts in examples.items() for text in texts]


def _best_by_label(labels: Sequence[str], cosines: Sequence[float]) -> dict[str, float]:
    best: dict[str, float] = {}
    for label, cosine in zip(labels, cosines, strict=True):
        best[label] = max(cosine, best.get(label, -1.0))
    return best


_CATALOGS: dict[str, CatalogVectors] = {}  # by model id: same model, same vectors


class EmbeddingMeaning:
    def __init__(self, embedder: SentenceEmbedder, company: Mapping[str, Vector],
                 catalog: CatalogVectors) -> None:
        self._embedder = embedder
        self._company_ids = tuple(company)
        self._company = _stack(list(company.values()))
        self._catalog = catalog

    def score(self, utterance: str) -> MeaningScores:
        vector = self._embedder.embed(utterance).vector
        catalog = self._catalog
        entries = dict(zip(self._company_ids, _products(self._company, vector), strict=True))
        entries.update(zip(catalog.entry_ids, _products(catalog.entries, vector), strict=True))
        hazards = _best_by_label(catalog.hazard_labels, _products(catalog.hazards, vector))
        intents = _best_by_label(catalog.intent_labels, _products(catalog.intents, vector))
        ordinary = max(_products(catalog.ordinary, vector), default=-1.0)
        return MeaningScores(entries, hazards, ordinary, intents)


def _products(matrix: Matrix, vector: Vector) -> list[float]:
    if matrix.shape[0] == 0:
        return []
    products: list[float] = (matrix @ vector).tolist()
    return products


async def call_meaning(store: TenantStore, embedder: SentenceEmbedder,
                       snapshot: CompanySnapshot) -> EmbeddingMeaning:
    """The scorer of one call: the company's active entries' vectors plus the catalog's."""
    vectors = await load_entry_vectors(store, embedder, snapshot.knowledge)
    return EmbeddingMeaning(embedder, vectors, CatalogVectors.of(embedder))
