"""The Twilio number lookup, shaped and parsed by the real SDK against a recorded exchange."""

from __future__ import annotations

import json

import pytest
from twilio.http import HttpClient
from twilio.http.response import Response

from runtime.providers.base import ProviderError
from runtime.providers.twilio_numbers import (
    CredentialsRejected,
    OfflineNumberDirectory,
    TwilioCredentials,
    TwilioNumberDirectory,
)

SID = "AC" + "a1" * 16
CREDENTIALS = TwilioCredentials(SID, "their-auth-token-0001")


class RecordedTwilio(HttpClient):
    """Answers like Twilio's API without a network; keeps each request the SDK made."""

    def __init__(self, status: int, body: dict) -> None:
        super().__init__(logger=None, is_async=False)  # type: ignore[arg-type]
        self.requests: list[dict] = []
        self._answer = Response(status, json.dumps(body))

    def request(self, method, url, params=None, data=None, headers=None, auth=None,  # noqa: ANN001
                timeout=None, allow_redirects=False):  # noqa: ANN001,ANN201
        self.requests.append({"method": method, "url": url, "params": params, "auth": auth})
        return self._answer


def page(*numbers: str) -> dict:
    return {"incoming_phone_numbers": [{"phone_number": n, "account_sid": SID} for n in numbers],
            "next_page_uri": None, "page": 0, "page_size": 1}


async def test_asks_for_exactly_that_number_on_the_companys_own_account():
    twilio = RecordedTwilio(200, page("+14155550100"))
    assert await TwilioNumberDirectory(twilio).owns(CREDENTIALS, "+14155550100") is True
    [request] = twilio.requests
    assert request["method"] == "GET"
    assert request["url"] == f"https://api.twilio.com/2010-04-01/Accounts/{SID}/IncomingPhoneNumbers.json"
    assert request["params"]["PhoneNumber"] == "+14155550100"
    assert request["auth"] == (SID, "their-auth-token-0001")


async def test_a_number_the_account_does_not_list_is_not_owned():
    assert await TwilioNumberDirectory(RecordedTwilio(200, page())).owns(
        CREDENTIALS, "+14155550100") is False


@pytest.mark.parametrize(("status", "error"), [(401, CredentialsRejected), (500, ProviderError)])
async def test_twilio_refusals_are_told_apart(status, error):
    body = {"code": 20003, "message": "Authenticate", "status": status}
    with pytest.raises(error):
        await TwilioNumberDirectory(RecordedTwilio(status, body)).owns(CREDENTIALS, "+14155550100")


async def test_the_offline_double_answers_from_its_table():
    directory = OfflineNumberDirectory({SID.upper(): ["+14155550100"]})
    assert await directory.owns(CREDENTIALS, "+14155550100")
    assert not await directory.owns(CREDENTIALS, "+14155550199")
