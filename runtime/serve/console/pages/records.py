"""Pages for a company's record collections (knowledge, employees, contacts).

One factory, like the API's (runtime/serve/routers/records.py), so the three behave
alike: a list with an "add" form, an edit page per record, delete. Each write validates
with the API's own `...Fields` / `...Update` models and runs the API's hooks (a
knowledge entry is embedded when written), so the console stores what the API would.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response
from pydantic import ValidationError

from runtime.serve.console.access import CompanyConsole, CompanyPage
from runtime.serve.console.forms import Field, document_values, flat_values, model_errors
from runtime.serve.console.forms import read_form as read_fields
from runtime.serve.console.nav import register_page
from runtime.serve.console.refusals import not_found
from runtime.serve.console.rendering import render, see_other
from runtime.serve.routers.records import AfterDelete, AfterWrite, CollectionOf
from runtime.serve.views import record_view, services_of
from tenancy.errors import Conflict, InvalidDocument, NotFound
from tenancy.models import ApiModel, is_object_id
from tenancy.records import RecordCollection


@dataclass(frozen=True)
class Input:
    """One input of a record form: its field, label, HTML widget and hint."""

    field: Field
    label: str
    widget: str = "text"  # text, email, tel, textarea, checkbox
    hint: str | None = None


@dataclass(frozen=True)
class RecordPages:
    segment: str  # URL segment and nav slug, e.g. "knowledge"
    title: str
    noun: str  # one record, e.g. "entry"
    collection_of: CollectionOf
    create_model: type[ApiModel]
    update_model: type[ApiModel]
    inputs: Sequence[Input]
    columns: Sequence[tuple[str, str]]  # (field, heading) shown in the list
    after_write: AfterWrite | None = None
    after_delete: AfterDelete | None = None
    template: str = "records.html"  # a page may extend it (knowledge adds "try a question")

    @property
    def fields(self) -> list[Field]:
        return [item.field for item in self.inputs]

    @property
    def names(self) -> list[str]:
        return [item.field.name for item in self.inputs]


async def record_list(request: Request, page: CompanyConsole, spec: RecordPages,
                      status: int = 200, **context: Any) -> Response:
    """The list page with its "add" form (new records start with their boxes ticked)."""
    store = services_of(request).registry.tenant(page.company_id)
    records = [record_view(r) for r in await spec.collection_of(store).list()]
    context.setdefault("values", {item.field.name: "" for item in spec.inputs} | {
        i.field.name: True for i in spec.inputs if i.widget == "checkbox"})
    return await render(request, spec.template, page=page, status=status, spec=spec,
                        records=records, **context)


def record_pages(spec: RecordPages, order: int) -> APIRouter:
    router = APIRouter(prefix="/console/company/{company_id}", include_in_schema=False)
    register_page(spec.title, spec.segment, order)
    base = f"/{spec.segment}"

    def collection(request: Request, page: CompanyConsole) -> RecordCollection[Any]:
        return spec.collection_of(services_of(request).registry.tenant(page.company_id))

    async def record_of(request: Request, page: CompanyConsole, record_id: str) -> Any:
        if not is_object_id(record_id):
            raise not_found()
        try:
            return await collection(request, page).get(record_id)
        except NotFound as exc:
            raise not_found() from exc

    @router.get(base)
    async def list_records(request: Request, page: CompanyPage) -> Response:
        return await record_list(request, page, spec)

    @router.post(base)
    async def add_record(request: Request, page: CompanyPage) -> Response:
        form = await request.form()
        store = services_of(request).registry.tenant(page.company_id)
        try:
            body = spec.create_model.model_validate(read_fields(form, spec.fields))
            record = await spec.collection_of(store).add(body)
        except ValidationError as exc:
            return await record_list(request, page, spec, 422,
                                     values=flat_values(form, spec.fields),
                                     errors=model_errors(exc, spec.names))
        except Conflict as exc:
            return await record_list(request, page, spec, 409,
                                     values=flat_values(form, spec.fields), errors={"": str(exc)})
        if spec.after_write is not None:
            await spec.after_write(request, store, record)
        return see_other(f"/console/company/{page.company_id}{base}", "added")

    @router.get(base + "/{record_id}")
    async def edit_record(request: Request, page: CompanyPage,
                          record_id: str = Path(max_length=64)) -> Response:
        record = record_view(await record_of(request, page, record_id))
        return await render(request, "record.html", page=page, spec=spec, record=record,
                            values=document_values(record, spec.fields))

    @router.post(base + "/{record_id}")
    async def save_record(request: Request, page: CompanyPage,
                          record_id: str = Path(max_length=64)) -> Response:
        record = record_view(await record_of(request, page, record_id))
        form = await request.form()
        store = services_of(request).registry.tenant(page.company_id)
        try:
            changes = spec.update_model.model_validate(read_fields(form, spec.fields))
            updated = await spec.collection_of(store).update(record_id, changes)
        except ValidationError as exc:
            errors = model_errors(exc, spec.names)
        except InvalidDocument as exc:
            errors = {"": str(exc).splitlines()[0]}
        else:
            if spec.after_write is not None:
                await spec.after_write(request, store, updated)
            return see_other(f"/console/company/{page.company_id}{base}", "saved")
        return await render(request, "record.html", page=page, spec=spec, record=record,
                            status=422, values=flat_values(form, spec.fields), errors=errors)

    @router.post(base + "/{record_id}/delete")
    async def delete_record(request: Request, page: CompanyPage,
                            record_id: str = Path(max_length=64)) -> Response:
        await record_of(request, page, record_id)
        store = services_of(request).registry.tenant(page.company_id)
        removed = await spec.collection_of(store).delete(record_id)
        if spec.after_delete is not None:
            await spec.after_delete(request, store, removed.id)
        return see_other(f"/console/company/{page.company_id}{base}", "deleted")

    return router
