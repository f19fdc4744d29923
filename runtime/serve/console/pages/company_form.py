"""Pages that edit fields of the company document: one GET, one POST, one patch.

A page lists its inputs as `forms.Field`s named by document path; the POST becomes the
same deep-merge patch `PATCH /api/company/{id}` applies (`CompanyRegistry.patch`, with
the API's phone-number claim rule), so it validates the whole company and stores all of
it or nothing. Errors come back next to their inputs with what the user typed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from runtime.serve.console.access import CompanyConsole
from runtime.serve.console.forms import Field, document_values, field_errors, flat_values
from runtime.serve.console.forms import read_form as read_fields
from runtime.serve.console.rendering import render, see_other
from runtime.serve.errors import ApiError
from runtime.serve.number_claims import claim_approval
from runtime.serve.views import company_view, services_of
from tenancy.errors import Conflict, InvalidDocument


async def show(request: Request, page: CompanyConsole, template: str,
               fields: Sequence[Field], prepare: Callable[[dict[str, Any]], dict[str, Any]]
               = lambda view: view, **context: Any) -> Response:
    """The page with the stored values (`prepare` may reshape the masked document first)."""
    values = document_values(prepare(company_view(page.company)), fields)
    return await render(request, template, page=page, values=values, **context)


async def save(request: Request, page: CompanyConsole, template: str,
               fields: Sequence[Field], **context: Any) -> Response:
    """Patch the company from the posted form; the page again with errors if it fails."""
    form = await request.form()
    changes = read_fields(form, fields)
    services = services_of(request)
    names = [field.name for field in fields]
    try:
        await services.registry.patch(page.company_id, changes,
                                      claim_approval(services.numbers, page.user.principal))
    except InvalidDocument as exc:
        errors = field_errors(exc.details or [{"field": "", "message": str(exc)}], names)
    except Conflict as exc:
        errors = {"": str(exc)}
    except ApiError as exc:
        errors = {"": exc.message}
    else:
        return see_other(request.url.path, "saved")
    return await render(request, template, page=page, status=422,
                        values=flat_values(form, fields), errors=errors, **context)
