"""The shipped catalogs: every trade is complete and what the public API serves is JSON."""

from __future__ import annotations

import json

from runtime.conversation.intents import detect_emergency, emergency_signals
from tenancy.catalog import (
    BOOKING_TEMPLATES,
    TRADE_CATALOG,
    BookingSlot,
    booking_template,
    booking_templates_public,
    trade_catalog,
    trade_categories_public,
)
from tenancy.models import TradeCategory


def test_every_trade_has_questions_services_and_emergencies() -> None:
    assert set(trade_catalog()) == set(TradeCategory)
    for category, entry in TRADE_CATALOG.items():
        assert entry.category is category
        assert 8 <= len(entry.qna) <= 12, category
        assert entry.services and entry.emergencies
        assert all(qna.keywords and qna.answer for qna in entry.qna)


def test_public_trade_categories_are_json_in_enum_order() -> None:
    body = json.loads(json.dumps(trade_categories_public()))
    assert [item["id"] for item in body] == ["HVAC", "Plumbing", "Electrical"]
    hvac = body[0]
    assert "carbon monoxide" in hvac["emergencyKeywords"]
    assert {"question", "answer", "keywords"} <= set(hvac["qna"][0])


def test_booking_templates_ask_for_every_slot_in_order() -> None:
    body = json.loads(json.dumps(booking_templates_public()))
    assert {item["id"] for item in body} == set(BOOKING_TEMPLATES)
    standard = booking_template(None)
    assert [step.slot for step in standard.steps] == [
        BookingSlot.NAME, BookingSlot.CALLBACK_NUMBER, BookingSlot.ADDRESS,
        BookingSlot.SERVICE, BookingSlot.PREFERRED_TIME, BookingSlot.CONFIRMATION,
    ]
    assert booking_template("no-such-template") is standard
    assert booking_template("plumbing-service-call").trade is TradeCategory.PLUMBING


def test_catalog_emergencies_are_heard_in_plain_speech() -> None:
    hvac = emergency_signals(["HVAC"])
    plumbing = emergency_signals(["Plumbing"])
    electrical = emergency_signals(["Electrical"])
    heard = {
        "I think I smell gas in the kitchen": hvac,
        "our carbon monoxide alarm keeps going off": hvac,
        "the furnace isn't working and it's below freezing outside": hvac,
        "the AC stopped and my elderly mother lives here": hvac,
        "a pipe burst in the basement": plumbing,
        "sewage is backing up... sewage backup in the tub": plumbing,
        "there are sparks coming out of the outlet": electrical,
        "there's a burning smell near the panel": electrical,
    }
    for utterance, signals in heard.items():
        assert detect_emergency(utterance, signals) is not None, utterance


def test_ordinary_or_negated_problems_are_not_emergencies() -> None:
    hvac = emergency_signals(["HVAC"])
    for utterance in (
        "the furnace isn't working",  # no heat without a freeze is a service call
        "I don't smell gas but the furnace is noisy",
        "do you offer emergency service on weekends",
        "my AC stopped working",
    ):
        assert detect_emergency(utterance, hvac) is None, utterance
