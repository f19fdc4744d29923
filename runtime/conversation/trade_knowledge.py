"""The shipped trade catalogs' Q&A as knowledge entries, with stable ids `trade:{trade}:{n}`.

The ids key the catalog's sentence vectors (computed once per process, `runtime/meaning/`)
as well as its lexical index, so both sides must build them here.
"""

from __future__ import annotations

from functools import cache

from runtime.conversation.knowledge import KnowledgeIndex, content_words
from runtime.conversation.snapshot import CompanySnapshot, KnowledgeEntry
from runtime.conversation.subject import CompanyVocabulary
from tenancy.catalog import TRADE_CATALOG
from tenancy.models import TradeCategory


@cache
def trade_entries(trade: str) -> tuple[KnowledgeEntry, ...]:
    catalog = TRADE_CATALOG[TradeCategory(trade)]
    return tuple(
        KnowledgeEntry(f"trade:{trade}:{number}", qna.question, qna.answer, qna.keywords, trade)
        for number, qna in enumerate(catalog.qna)
    )


@cache
def trade_index(trade: str) -> KnowledgeIndex:
    """The shipped Q&A of one trade, indexed once per process."""
    return KnowledgeIndex(trade_entries(trade))


def company_vocabulary(snapshot: CompanySnapshot) -> CompanyVocabulary:
    """The words of the company's Q&A, its trades' catalog, its services and description."""
    texts = [text for entry in snapshot.knowledge for text in _texts(entry)]
    trades = [word for trade in snapshot.trade_categories for word in _trade_words(trade)]
    return CompanyVocabulary([*texts, *snapshot.services, snapshot.description,
                              snapshot.company_name, *snapshot.service_area], trades)


@cache
def _trade_words(trade: str) -> frozenset[str]:
    return frozenset(word for entry in trade_entries(trade) for text in _texts(entry)
                     for word in content_words(text))


def _texts(entry: KnowledgeEntry) -> tuple[str, ...]:
    return (entry.question, entry.answer, *entry.keywords)
