"""The signature check accepts exactly what Twilio's library accepts: the URL signed
without its port or with it, and nothing else (`runtime.serve.twilio_auth.signed_by`)."""

from __future__ import annotations

import pytest
from twilio.request_validator import RequestValidator

from runtime.serve.twilio_auth import signed_by

TOKEN = "twilio-auth-token-for-signatures"
PARAMS = {"CallSid": "CA" + "1" * 32, "AccountSid": "AC" + "2" * 32, "SpeechResult": "hi"}
URL = "https://voice.example.test/api/twilio/calls/abc/turn"


@pytest.mark.parametrize("signed_url", [URL, URL.replace(".test/", ".test:443/")])
def test_either_form_of_the_url_Twilio_signs_is_accepted(signed_url: str) -> None:
    validator = RequestValidator(TOKEN)
    signature = validator.compute_signature(signed_url, PARAMS)
    assert signed_by(validator, URL, PARAMS, signature)
    assert validator.validate(URL, PARAMS, signature)  # as the library says


@pytest.mark.parametrize("forged", [
    RequestValidator("another-token-of-another-account").compute_signature(URL, PARAMS),
    RequestValidator(TOKEN).compute_signature(URL + "x", PARAMS),
    RequestValidator(TOKEN).compute_signature(URL, {**PARAMS, "SpeechResult": "bye"}),
    "",
])
def test_anything_else_is_refused(forged: str) -> None:
    validator = RequestValidator(TOKEN)
    assert not signed_by(validator, URL, PARAMS, forged)
    assert not validator.validate(URL, PARAMS, forged)
