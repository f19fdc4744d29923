"""Google's OAuth 2.0 authorization-code flow for connecting a company's calendar.

`consent_url` makes the URL the company admin's browser goes to, with our `state` and
a PKCE verifier (google-auth-oauthlib generates one; the callback must present it again).
`exchange` turns the returned code into a refresh token. The offline double does the same
without Google, for tests and local runs.
"""

from __future__ import annotations

import asyncio
from typing import Protocol
from urllib.parse import urlencode

from google_auth_oauthlib.flow import Flow

from runtime.providers.google_calendar import SCOPES, TOKEN_URI

AUTH_URI = "https://accounts.google.com/o/oauth2/v2/auth"


class OAuthFailed(Exception):
    """The code could not be exchanged (denied, expired, or no refresh token granted)."""


class CalendarOAuth(Protocol):
    def consent_url(self, state: str) -> tuple[str, str | None]:
        """The consent URL and the PKCE code verifier to keep with the state."""
        ...

    async def exchange(self, code: str, state: str, code_verifier: str | None) -> str:
        """The refresh token for this authorization code."""
        ...


class GoogleOAuth:
    def __init__(self, client_id: str, client_secret: str, redirect_uri: str) -> None:
        self._config = {"web": {
            "client_id": client_id, "client_secret": client_secret, "auth_uri": AUTH_URI,
            "token_uri": TOKEN_URI, "redirect_uris": [redirect_uri],
        }}
        self._redirect_uri = redirect_uri

    def flow(self, state: str, code_verifier: str | None = None) -> Flow:
        return Flow.from_client_config(self._config, list(SCOPES), state=state,
                                       redirect_uri=self._redirect_uri,
                                       code_verifier=code_verifier)

    def consent_url(self, state: str) -> tuple[str, str | None]:
        flow = self.flow(state)
        url, _ = flow.authorization_url(prompt="consent", include_granted_scopes="true")
        return url, flow.code_verifier

    async def exchange(self, code: str, state: str, code_verifier: str | None) -> str:
        flow = self.flow(state, code_verifier)
        try:
            await asyncio.to_thread(flow.fetch_token, code=code)
        except Exception as exc:  # oauthlib/requests errors: the code is no good
            raise OAuthFailed(f"Google refused the authorization code ({type(exc).__name__})"
                              ) from exc
        token = flow.credentials.refresh_token
        if not token:
            raise OAuthFailed("Google granted no refresh token; connect again to give consent")
        return str(token)


class OfflineOAuth:
    """The consent screen and token exchange without Google (doubles mode)."""

    def consent_url(self, state: str) -> tuple[str, str | None]:
        return f"https://accounts.google.invalid/consent?{urlencode({'state': state})}", None

    async def exchange(self, code: str, state: str, code_verifier: str | None) -> str:
        if not code or code == "denied":
            raise OAuthFailed("the consent was denied")
        return f"offline-refresh-token-{code}"
