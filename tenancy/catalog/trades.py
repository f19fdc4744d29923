"""The shipped trade-category catalog: common questions, services and emergency signals.

One frozen `TradeCatalog` per `TradeCategory`. The dialogue policy answers from it for a
company's own trades only, and listens for its emergency signals; the public API serves
it at `GET /api/trade-categories`.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from tenancy.catalog.electrical import ELECTRICAL
from tenancy.catalog.hvac import HVAC
from tenancy.catalog.plumbing import PLUMBING
from tenancy.catalog.schema import EmergencySignal, TradeCatalog, TradeQnA
from tenancy.models.company import TradeCategory

__all__ = [
    "TRADE_CATALOG",
    "EmergencySignal",
    "TradeCatalog",
    "TradeQnA",
    "trade_catalog",
    "trade_categories_public",
]


def _build_catalog() -> MappingProxyType[TradeCategory, TradeCatalog]:
    entries = {entry.category: entry for entry in (HVAC, PLUMBING, ELECTRICAL)}
    missing = set(TradeCategory) - set(entries)
    if missing:
        raise RuntimeError(f"trade catalog misses {sorted(missing)}")
    return MappingProxyType(entries)


TRADE_CATALOG: MappingProxyType[TradeCategory, TradeCatalog] = _build_catalog()


def trade_catalog() -> MappingProxyType[TradeCategory, TradeCatalog]:
    """The read-only catalog keyed by trade category."""
    return TRADE_CATALOG


def trade_categories_public() -> list[dict[str, Any]]:
    """The JSON body of `GET /api/trade-categories`, in `TradeCategory` order."""
    return [TRADE_CATALOG[category].as_public_dict() for category in TradeCategory]
