"""A call actor's memory of the companies it answers for, checked against Redis per call.

A new call needs its company's document (decrypted and validated), knowledge and staff
turned into a `CompanySnapshot`, the snapshot's checkpoint form, and the meaning scorer
of its knowledge entries (their vectors read from the store, missing ones embedded): most
of the CPU of a call setup, the same for every call of a company until someone edits it.
The actor reads the stored text in one round trip on every call and parses it again only
when it differs from what it parsed last, so the next call after an edit sees the edit: never stale,
unlike a time-based cache.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from runtime.conversation import CompanySnapshot
from runtime.conversation.company_reading import CompanyReading
from runtime.meaning.scorer import EmbeddingMeaning, call_meaning
from runtime.providers.embedding import SentenceEmbedder
from tenancy.models import Company
from tenancy.store import KnownCompany, TenantStore

MAX_COMPANIES = 256  # companies remembered per actor (least recently called forgotten)


@dataclass(frozen=True)
class CompanyView:
    """What the calls of one company share: read-only, never changed by a call."""

    company: Company
    snapshot: CompanySnapshot
    snapshot_document: dict[str, Any] = field(compare=False)  # `snapshot.to_dict()`, once
    # The scorer of `snapshot.knowledge` (read-only: a turn only reads its matrices);
    # None when the views were made without an embedder.
    meaning: EmbeddingMeaning | None = field(default=None, compare=False)
    # What the policy reads off `snapshot` (indexes, vocabulary, hazard signals), read-only.
    reading: CompanyReading | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class _Remembered:
    """A view and the stored data it was made of."""

    company: KnownCompany
    records: tuple[list[str], list[str]]  # knowledge and staff, as stored
    view: CompanyView


class CompanyViews:
    def __init__(self, embedder: SentenceEmbedder | None = None,
                 max_companies: int = MAX_COMPANIES) -> None:
        self._embedder = embedder
        self._max = max_companies
        self._views: OrderedDict[str, _Remembered] = OrderedDict()
        self.parsed = 0  # views built (a miss: first call, or the company changed)

    async def load(self, store: TenantStore) -> CompanyView | None:
        """The company's view as stored now; None when there is no such company."""
        raw_company, raw_knowledge, raw_staff = await store.call_documents()
        remembered = self._views.get(store.company_id)
        known = store.known_company(raw_company,
                                    None if remembered is None else remembered.company)
        if known is None:
            self._views.pop(store.company_id, None)
            return None
        records = (raw_knowledge, raw_staff)
        if (remembered is not None and known is remembered.company
                and remembered.records == records):
            self._views.move_to_end(store.company_id)
            return remembered.view
        snapshot = CompanySnapshot.from_documents(
            known.company, store.knowledge.parse(raw_knowledge),
            store.employees.parse(raw_staff))
        meaning = (await call_meaning(store, self._embedder, snapshot)
                   if self._embedder is not None else None)
        view = CompanyView(known.company, snapshot, snapshot.to_dict(), meaning,
                           CompanyReading.of(snapshot))
        self.parsed += 1
        self._views[store.company_id] = _Remembered(known, records, view)
        self._views.move_to_end(store.company_id)
        while len(self._views) > self._max:
            self._views.popitem(last=False)
        return view

    async def company(self, store: TenantStore) -> Company | None:
        """The company document as stored now (one read, like `store.load_company`),
        decrypted and validated only when it differs from the one its view was made of: a
        call's end reads its settings (post-call texts) as they are at that moment."""
        remembered = self._views.get(store.company_id)
        known = await store.company_since(None if remembered is None else remembered.company)
        return None if known is None else known.company
