"""The shipped trade catalogs' Q&A as knowledge entries, with stable ids `trade:{trade}:{n}`.

The ids key the catalog's sentence vectors (computed once per process, `runtime/meaning/`)
as well as its lexical index, so both sides must build them here.
"""

from __future__ import annotations

from functools import cache

from runtime.conversation.knowledge import KnowledgeIndex
from runtime.conversation.snapshot import KnowledgeEntry
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
