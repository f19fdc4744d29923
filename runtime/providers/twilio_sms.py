"""Texts through Twilio's Messages API (the official SDK, async), one client per account.

Twilio answers 4xx for what no retry fixes (an invalid or opted-out number: 21211,
21610) and 429/5xx for what a retry may; `SendFailed.permanent` says which.
"""

from __future__ import annotations

from collections.abc import Callable

from twilio.base.exceptions import TwilioRestException
from twilio.http import AsyncHttpClient
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client

from runtime.providers.notify import SendFailed, SmsRequest, TwilioAccount

HttpClientFactory = Callable[[], AsyncHttpClient]


class TwilioSmsSender:
    name = "twilio"

    def __init__(self, http_client: HttpClientFactory = AsyncTwilioHttpClient) -> None:
        self._http_client = http_client
        self._clients: dict[str, tuple[Client, AsyncHttpClient]] = {}

    def _client(self, account: TwilioAccount) -> Client:
        cached = self._clients.get(account.account_sid)
        if cached is None or cached[0].password != account.auth_token:
            http = self._http_client()
            cached = (Client(account.account_sid, account.auth_token, http_client=http), http)
            self._clients[account.account_sid] = cached
        return cached[0]

    async def send(self, request: SmsRequest, account: TwilioAccount | None) -> str:
        if account is None:
            raise SendFailed("no Twilio account to text from", permanent=True)
        options: dict[str, str] = {"to": request.to, "from_": request.from_,
                                   "body": request.body}
        if request.status_callback:
            options["status_callback"] = request.status_callback
        try:
            message = await self._client(account).messages.create_async(**options)
        except TwilioRestException as exc:
            permanent = exc.status < 500 and exc.status != 429
            raise SendFailed(f"twilio {exc.status} code {exc.code}", permanent=permanent) from exc
        except OSError as exc:
            raise SendFailed(f"twilio unreachable: {type(exc).__name__}", permanent=False) from exc
        return str(message.sid)

    async def close(self) -> None:
        for _, http in self._clients.values():
            session = getattr(http, "session", None)
            if session is not None:
                await session.close()
        self._clients.clear()
