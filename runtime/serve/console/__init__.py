"""The company console: server-rendered pages at /console on the same Serve app.

Layout of this package:
- `access.py`: the session cookie, CSRF check and the guards (`SignedIn`,
  `PlatformAdmin`, `CompanyPage`); sessions themselves live in
  `tenancy/console_sessions.py`.
- `rendering.py`: `render()` (layout context, no-store) and `see_other()`.
- `forms.py`: form posts into the API's JSON shapes, validation errors onto inputs.
- `nav.py`: the company nav registry.
- `pages/`: one module per page (or area); `templates/`, `static/`: HTML, CSS, JS.

How to add a company page (e.g. "Calls"):
1. `pages/calls.py`: `router = APIRouter(prefix="/console/company/{company_id}",
   include_in_schema=False)`, `register_page("Calls", "calls", order=40)`, and handlers
   that take `page: CompanyPage` (the guard: tenant, viewer and CSRF rules) and return
   `await render(request, "calls.html", page=page, ...)`.
2. `templates/calls.html`: `{% extends "base.html" %}` and fill `{% block content %}`
   (form macros in `templates/_forms.html`). Every POST form carries
   `{{ csrf_input() }}`; buttons that change data go inside `{% if can_write %}`.
3. Add the router to `pages/__init__.py` `PAGE_ROUTERS`. The route-table test
   (tests/console/test_console_cross_tenant.py) then probes it across tenants, and
   tests/console/ has the browser fixtures (`console`, screenshots, axe) to test it.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

from runtime.serve.console.pages import PAGE_ROUTERS
from runtime.serve.console.refusals import ConsoleRefusal, SignInRequired
from runtime.serve.console.rendering import NO_STORE, TEMPLATES, see_other

STATIC_DIR = Path(__file__).parent / "static"


def install_console(app: FastAPI) -> None:
    """Add the console's pages, static files and HTML error pages to the app."""
    for router in PAGE_ROUTERS:
        app.include_router(router)
    app.mount("/console/static", StaticFiles(directory=STATIC_DIR), name="console-static")

    @app.exception_handler(ConsoleRefusal)
    async def _refused(request: Request, exc: ConsoleRefusal) -> HTMLResponse:
        return TEMPLATES.TemplateResponse(
            request, "error.html", {"title": exc.title, "message": exc.message, "user": None,
                                    "nav": [], "switcher": None, "company": None,
                                    "errors": {}, "notice": None},
            status_code=exc.status, headers=NO_STORE)

    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, exc: SignInRequired) -> Response:
        return see_other(f"/console/login?next={quote(exc.next_path, safe='/')}")
