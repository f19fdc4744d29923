"""The brief's Company document read into ours: the decisions, one at a time."""

from __future__ import annotations

import pytest

from tenancy.legacy.address import parse_us_address
from tenancy.legacy.company import CompanyDocument, translate_company


@pytest.mark.parametrize("text, city, state, postal", [
    ("12155 metro pkwy suite 12 fort myers fl 33966", "Fort Myers", "FL", "33966"),
    ("500 Main St, Springfield, IL 62701-1234", "Springfield", "IL", "62701-1234"),
])
def test_one_line_addresses_are_split(text, city, state, postal):
    parts = parse_us_address(text)
    assert parts is not None
    assert (parts["city"], parts["state"], parts["postalCode"]) == (city, state, postal)


@pytest.mark.parametrize("text", ["somewhere on the gulf coast", "PO Box 12, Naples FL 34102",
                                  "Florida", "12155 metro pkwy fort myers"])
def test_what_is_not_one_street_address_is_left_alone(text):
    assert parse_us_address(text) is None


def test_an_api_secret_without_a_real_key_sid_is_dropped_with_the_key():
    document, warnings = translate_company({"companyName": "X", "twilioConfig": {
        "apiKey": "SK" + "a" * 32, "apiSecret": "short"}})
    assert document["twilioConfig"] == {"apiKey": "SK" + "a" * 32}
    assert warnings == ["twilioConfig.apiSecret is too short to be a Twilio API secret: "
                        "not kept"]


def test_an_inactive_document_is_created_active_and_says_so():
    document = CompanyDocument.model_validate({"companyName": "Closed Co", "isActive": False})
    assert any("isActive is false" in warning for warning in document.warnings)


def test_only_retired_gemini_models_are_replaced():
    kept, warnings = translate_company({"aiSettings": {"model": "gpt-4"}})
    assert kept["aiSettings"]["model"] == "gpt-4" and warnings == []  # validation will refuse it
    replaced, warnings = translate_company({"aiSettings": {"model": "gemini-1.0-pro"}})
    assert replaced["aiSettings"]["model"] == "gemini-2.5-flash" and len(warnings) == 1


def test_our_own_closing_line_wins_over_agent_closing():
    document, _ = translate_company({"agentSetup": {"agentClosing": "Bye!", "closingLine": "Ciao"}})
    assert document["agentSetup"] == {"closingLine": "Ciao"}


def test_a_recorded_greeting_becomes_a_spoken_one_with_a_warning():
    document = CompanyDocument.model_validate(
        {"companyName": "Y", "agentSetup": {"greetingType": "audio"}})
    assert document.agentSetup.greetingType == "tts"
    assert any("greetingType 'audio'" in warning for warning in document.warnings)
