"""A console user over plain HTTP (no browser): for the many-request route probes."""

from __future__ import annotations

import re

import httpx

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def form_token(html: str) -> str:
    """The CSRF token of the first form on a console page."""
    match = _CSRF.search(html)
    assert match, "no csrf_token on the page"
    return match.group(1)


class Session:
    """Signed in through the form (its double-submit token first); holds the cookie jar
    and the session's CSRF token."""

    def __init__(self, api_server, user: dict[str, str]) -> None:
        self.http = httpx.Client(base_url=api_server.base_url, timeout=30)
        login = self.http.get("/console/login")
        signed = self.http.post("/console/login",
                                data={**user, "csrf_token": form_token(login.text)})
        assert signed.status_code == 303, signed.text
        self.csrf = form_token(self.http.get("/console", follow_redirects=True).text)
