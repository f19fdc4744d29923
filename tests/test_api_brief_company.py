"""The brief's own sample Company, as companies moving from the original platform have it.

`fixtures/brief_company.json` is the "Core Company Schema" sample of the product brief,
written as JSON (`ObjectId("…")` as its hex string, `ISODate` as ISO timestamps).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.ray

BRIEF_COMPANY = json.loads((Path(__file__).parent / "fixtures" / "brief_company.json").read_text())


def test_the_brief_sample_company_is_accepted_and_normalised(admin):
    created = admin.post("/api/company", json=BRIEF_COMPANY)
    assert created.status_code == 201, created.text
    company = created.json()
    assert company["_id"] == "68813026dd95f599c74e49c7"
    assert company["createdAt"].startswith("2025-07-23T18:54:30")
    assert company["companyAddress"] == BRIEF_COMPANY["companyAddress"]
    assert company["address"] == {"street": "12155 metro pkwy suite 12", "city": "Fort Myers",
                                  "state": "FL", "postalCode": "33966", "country": "US"}
    assert company["businessHours"] == "m-f 9-5" and company["profileComplete"] is True
    ai = company["aiSettings"]
    assert ai["model"] == "gemini-2.5-flash" and ai["language"] == "en-US"
    assert ai["smartEscalation"]["sentimentTrigger"] is True
    assert ai["elevenLabs"]["apiKey"] is None and ai["elevenLabs"]["style"] == 0.0
    setup = company["agentSetup"]
    assert [d["day"] for d in setup["operatingHours"]] == ["monday", "tuesday"]
    assert setup["closingLine"] == "Have a great day!" and setup["greetingType"] == "tts"
    assert company["personalityResponses"]["speakClearly"] == [
        "Could you speak a bit more clearly, please?"]
    twilio = company["twilioConfig"]
    assert twilio["authToken"] == "••••here" and twilio["apiKey"] is None
    assert twilio["phoneNumbers"][0]["phoneNumber"] == "+12392322030"
    assert any("gemini-1.5-pro is retired" in w for w in company["warnings"])
    assert any("apiKey is not a Twilio API key SID" in w for w in company["warnings"])
    stored = admin.get(f"/api/company/{company['_id']}").json()
    assert "warnings" not in stored and stored["aiSettings"]["model"] == "gemini-2.5-flash"

    again = admin.post("/api/company", json=BRIEF_COMPANY)
    assert again.status_code == 409 and "68813026dd95f599c74e49c7" in again.json()["message"]
    admin.delete(f"/api/company/{company['_id']}")


def test_brief_values_are_accepted_by_patch_too(admin):
    body = copy.deepcopy(BRIEF_COMPANY)
    del body["_id"]
    body["twilioConfig"]["phoneNumbers"] = []
    company = admin.post("/api/company", json=body).json()
    patched = admin.patch(f"/api/company/{company['_id']}", json={
        "aiSettings": {"language": "es"},
        "agentSetup": {"operatingHours": [{"day": "SATURDAY", "start": "08:00", "end": "12:00"},
                                          {"day": "Sun", "enabled": False}]}})
    assert patched.status_code == 200, patched.text
    assert patched.json()["aiSettings"]["language"] == "es-US"
    assert [d["day"] for d in patched.json()["agentSetup"]["operatingHours"]] == [
        "saturday", "sunday"]


def test_an_unknown_field_is_still_a_clear_error(admin):
    body = copy.deepcopy(BRIEF_COMPANY)
    del body["_id"]
    body["twilioConfig"]["phoneNumbers"] = []
    body["aiSettings"]["smartEscalation"]["sentimentTrgger"] = True
    refused = admin.post("/api/company", json=body)
    assert refused.status_code == 422
    assert refused.json()["details"][0]["field"].endswith("smartEscalation.sentimentTrgger")
