"""Global catalogs shipped with the platform: trade knowledge and booking scripts."""

from tenancy.catalog.booking_templates import (
    BOOKING_TEMPLATES,
    DEFAULT_BOOKING_TEMPLATE_ID,
    BookingSlot,
    BookingStep,
    BookingTemplate,
    booking_template,
    booking_templates_public,
)
from tenancy.catalog.schema import EmergencySignal, TradeCatalog, TradeQnA
from tenancy.catalog.trades import TRADE_CATALOG, trade_catalog, trade_categories_public

__all__ = [
    "BOOKING_TEMPLATES",
    "DEFAULT_BOOKING_TEMPLATE_ID",
    "TRADE_CATALOG",
    "BookingSlot",
    "BookingStep",
    "BookingTemplate",
    "EmergencySignal",
    "TradeCatalog",
    "TradeQnA",
    "booking_template",
    "booking_templates_public",
    "trade_catalog",
    "trade_categories_public",
]
