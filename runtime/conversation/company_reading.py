"""What the dialogue policy reads off a company before any caller speaks.

The company's knowledge index, its trades' and the other trades' catalog indexes, the words
it knows (`CompanyVocabulary`, ~0.5 ms to build) and every trade's emergency signals depend
on the company snapshot alone, so a call actor builds them once per company version (its
company view) and hands them to each call's policy instead of rebuilding them per call.
"""

from __future__ import annotations

from dataclasses import dataclass

from runtime.conversation.hazards import every_trade_signals
from runtime.conversation.knowledge import KnowledgeIndex
from runtime.conversation.snapshot import CompanySnapshot
from runtime.conversation.subject import CompanyVocabulary
from runtime.conversation.trade_knowledge import company_vocabulary, trade_index
from tenancy.catalog import EmergencySignal
from tenancy.models import TradeCategory


@dataclass(frozen=True)
class CompanyReading:
    company_index: KnowledgeIndex
    trade_indexes: tuple[KnowledgeIndex, ...]  # the company's own trades
    other_trade_indexes: tuple[KnowledgeIndex, ...]
    vocabulary: CompanyVocabulary
    emergencies: tuple[EmergencySignal, ...]  # every trade's, then the company's phrases

    @classmethod
    def of(cls, snapshot: CompanySnapshot) -> CompanyReading:
        trades = snapshot.trade_categories
        return cls(
            KnowledgeIndex(snapshot.knowledge),
            tuple(trade_index(trade) for trade in trades),
            tuple(trade_index(trade.value) for trade in TradeCategory
                  if trade.value not in trades),
            company_vocabulary(snapshot),
            every_trade_signals(trades, snapshot.emergency_phrases),
        )
