"""Learning suggestions: questions callers asked that the knowledge base lacks, to approve
(with the proposed or an edited answer) or reject, through the API's own functions
(`runtime/serve/routers/suggestions.py`), so an approval writes what the API writes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response
from pydantic import ValidationError

from runtime.serve.console.access import CompanyConsole, CompanyPage
from runtime.serve.console.forms import model_errors
from runtime.serve.console.nav import register_page
from runtime.serve.console.refusals import ConsoleRefusal, not_found
from runtime.serve.console.rendering import render, see_other
from runtime.serve.errors import ApiError
from runtime.serve.routers.suggestions import approve, ranked_suggestions, reject
from tenancy.errors import Conflict, InvalidDocument, NotFound
from tenancy.models.suggestions import SuggestionApproval

router = APIRouter(prefix="/console/company/{company_id}", include_in_schema=False)
register_page("Suggestions", "suggestions", order=75)

LIST_LIMIT = 200
SUGGESTION_ID = Path(max_length=64)


async def suggestion_list(request: Request, page: CompanyConsole, status: int = 200,
                          **context: Any) -> Response:
    """The list; `answers`/`answer_errors` (by suggestion id) refill a refused approval."""
    suggestions = await ranked_suggestions(request, page.company_id, None, LIST_LIMIT)
    context.setdefault("answers", {})
    context.setdefault("answer_errors", {})
    return await render(request, "suggestions.html", page=page, status=status,
                        suggestions=suggestions, zone=ZoneInfo(page.company.timezone),
                        **context)


@router.get("/suggestions")
async def suggestions(request: Request, page: CompanyPage) -> Response:
    return await suggestion_list(request, page)


@router.post("/suggestions/{suggestion_id}/approve")
async def approve_suggestion(request: Request, page: CompanyPage,
                             suggestion_id: str = SUGGESTION_ID) -> Response:
    answer = str((await request.form()).get("answer", "")).strip()
    try:  # blank: the proposed answer, as the API's approval without a body
        body = SuggestionApproval.model_validate({"answer": answer or None})
        with refusals_as_pages():
            await approve(request, page.company_id, suggestion_id, body.answer)
    except (ValidationError, InvalidDocument) as exc:
        message = (model_errors(exc, ["answer"]).popitem()[1] if isinstance(exc, ValidationError)
                   else str(exc).splitlines()[0])
        return await suggestion_list(request, page, 422, answers={suggestion_id: answer},
                                     answer_errors={suggestion_id: message})
    return see_other(f"/console/company/{page.company_id}/suggestions", "approved")


@router.post("/suggestions/{suggestion_id}/reject")
async def reject_suggestion(request: Request, page: CompanyPage,
                            suggestion_id: str = SUGGESTION_ID) -> Response:
    with refusals_as_pages():
        await reject(request, page.company_id, suggestion_id)
    return see_other(f"/console/company/{page.company_id}/suggestions", "rejected")


@contextmanager
def refusals_as_pages() -> Iterator[None]:
    """An approval's or rejection's refusals as pages: a bad or unknown id is no such page,
    a decided suggestion or a busy lock says so; nothing was changed in either case."""
    try:
        yield
    except NotFound as exc:
        raise not_found() from exc
    except ApiError as exc:
        if exc.status in (400, 404):
            raise not_found() from exc
        raise ConsoleRefusal(exc.status, "Not changed", exc.message) from exc
    except Conflict as exc:
        raise ConsoleRefusal(409, "Already decided", str(exc)) from exc
