"""Which phone numbers a Twilio account owns, asked of Twilio's REST API.

A company admin may only claim a number its own Twilio account owns, or it could take
another business's calls. `TwilioNumberDirectory` asks Twilio (the official SDK, the
company's own credentials); `OfflineNumberDirectory` is the double for tests and offline
runs, answering from a fixed table.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from runtime.providers.base import ProviderError

LOOKUP_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class TwilioCredentials:
    account_sid: str
    auth_token: str


class CredentialsRejected(ProviderError):
    """Twilio refused the account SID and auth token (wrong, or the account is closed)."""


class NumberDirectory(Protocol):
    async def owns(self, credentials: TwilioCredentials, number: str) -> bool:
        """True when `number` (E.164) is an incoming number of the credentials' account."""
        ...


class TwilioNumberDirectory:
    """Lists the account's IncomingPhoneNumbers filtered by the number: one small GET."""

    def __init__(self, http_client: object | None = None) -> None:
        self._http_client = http_client  # a twilio.http.HttpClient; None: the SDK's own

    async def owns(self, credentials: TwilioCredentials, number: str) -> bool:
        return await asyncio.to_thread(self._owns, credentials, number)

    def _owns(self, credentials: TwilioCredentials, number: str) -> bool:
        from twilio.base.exceptions import TwilioException
        from twilio.http.http_client import TwilioHttpClient
        from twilio.rest import Client

        http = self._http_client or TwilioHttpClient(timeout=LOOKUP_TIMEOUT_S)
        client = Client(credentials.account_sid, credentials.auth_token, http_client=http)
        try:
            found = client.api.v2010.accounts(credentials.account_sid).incoming_phone_numbers \
                .list(phone_number=number, limit=1)
        except (TwilioException, OSError) as exc:
            status = _http_status(exc)
            if status in (401, 403, 404):
                raise CredentialsRejected(f"Twilio refused the account ({status})") from exc
            raise ProviderError(f"Twilio lookup failed ({status or 'unreachable'})") from exc
        return any(entry.phone_number == number for entry in found)


def _http_status(exc: Exception) -> int | None:
    """Twilio's HTTP status: on a TwilioRestException, or the response a page fetch carries."""
    status = getattr(exc, "status", None)
    if status is None and len(exc.args) > 1:
        status = getattr(exc.args[1], "status_code", None)
    return int(status) if status is not None else None


class OfflineNumberDirectory:
    """The double: `owned` maps an account SID to the numbers it owns."""

    def __init__(self, owned: Mapping[str, Sequence[str]]) -> None:
        self._owned = {sid.lower(): set(numbers) for sid, numbers in owned.items()}

    async def owns(self, credentials: TwilioCredentials, number: str) -> bool:
        return number in self._owned.get(credentials.account_sid.lower(), set())


def build_number_directory(mode: str, double_numbers: Mapping[str, Sequence[str]]
                           ) -> NumberDirectory:
    if mode == "doubles":
        return OfflineNumberDirectory(double_numbers)
    return TwilioNumberDirectory()
