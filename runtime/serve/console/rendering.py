"""Jinja2 templates and the one function every console page renders through.

`render` supplies what the layout needs (who is signed in, the CSRF token, the company
and its nav, the admin's company switcher, a notice) and marks every page `no-store`,
so after logout the browser's back button cannot show company data from its cache.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from runtime.serve.console.access import CSRF_FIELD, CompanyConsole, ConsoleUser
from runtime.serve.console.nav import company_nav
from runtime.serve.views import services_of

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}

# Fixed notices a redirect may name (`?notice=saved`): never text from the URL itself.
NOTICES = {
    "saved": "Saved.",
    "added": "Added.",
    "deleted": "Deleted.",
    "signed-out": "You are signed out.",
    "company-created": "Company created.",
    "user-created": "User created.",
    "user-changed": "User changed; their console sessions are ended.",
    "password-reset": "Password set; the user's console sessions are ended.",
    "user-removed": "User removed; their console sessions are ended.",
    "cancelled": "Booking cancelled.",
    "handled": "Message marked handled.",
    "reopened": "Message marked new again.",
    "approved": "Suggestion approved: it is in the knowledge base now.",
    "rejected": "Suggestion rejected.",
}


async def render(
    request: Request, template: str, *, user: ConsoleUser | None = None,
    page: CompanyConsole | None = None, status: int = 200,
    headers: dict[str, str] | None = None, **context: Any,
) -> HTMLResponse:
    user = page.user if page is not None else user
    switcher = None
    if user is not None and user.principal.is_platform_admin:
        switcher = await services_of(request).registry.names()
    values = {
        "user": user.session if user else None,
        "csrf_field": CSRF_FIELD,
        "csrf_token": user.csrf_token if user else "",
        "company": page.company if page else None,
        "can_write": page.can_write if page else False,
        "nav": company_nav(page.company_id, request.url.path) if page else [],
        "switcher": switcher,
        "notice": NOTICES.get(request.query_params.get("notice", "")),
        "errors": {},
        **context,
    }
    return TEMPLATES.TemplateResponse(request, template, values, status_code=status,
                                      headers={**NO_STORE, **(headers or {})})


def see_other(path: str, notice: str | None = None) -> RedirectResponse:
    """After a POST: back to a page (Post/Redirect/Get), with one of the fixed notices."""
    if notice is not None:
        path += ("&" if "?" in path else "?") + f"notice={notice}"
    return RedirectResponse(path, status_code=303, headers=NO_STORE)
