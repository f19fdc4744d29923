"""The knowledge base: add, edit and disable entries, and "try a question", which shows
what `POST /api/company/{id}/knowledge/test` shows: the tier, the entry and its
confidence, the runner-up, and the reply the agent would give."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from runtime.serve.console.access import CompanyPage
from runtime.serve.console.forms import Field, model_errors
from runtime.serve.console.pages.records import Input, RecordPages, record_list, record_pages
from runtime.serve.routers.knowledge import (
    KnowledgeTest,
    after_knowledge_delete,
    after_knowledge_write,
    try_question,
)
from runtime.serve.views import services_of
from tenancy.models import QnAFields, QnAUpdate

SPEC = RecordPages(
    segment="knowledge", title="Knowledge", noun="entry",
    collection_of=lambda store: store.knowledge,
    create_model=QnAFields, update_model=QnAUpdate,
    inputs=[Input(Field("question"), "Question"),
            Input(Field("answer"), "Answer", "textarea"),
            Input(Field("keywords", "lines"), "Keywords", "textarea", "One per line"),
            Input(Field("category", "keep"), "Category", hint="Blank: general"),
            Input(Field("isActive", "bool"), "Active (the agent may answer with it)",
                  "checkbox")],
    columns=[("question", "Question"), ("answer", "Answer"), ("category", "Category"),
             ("isActive", "Active")],
    after_write=after_knowledge_write, after_delete=after_knowledge_delete,
    template="knowledge.html",
)

# Included before `entries`, whose /knowledge/{record_id} would otherwise match "try".
router = APIRouter(prefix="/console/company/{company_id}", include_in_schema=False)


@router.post("/knowledge/try")
async def try_a_question(request: Request, page: CompanyPage) -> Response:
    form = await request.form()
    question = str(form.get("question", ""))
    try:
        body = KnowledgeTest.model_validate({"question": question})
    except ValidationError as exc:
        return await record_list(request, page, SPEC, 422, tried_question=question,
                                 try_error=model_errors(exc, ["question"]).popitem()[1])
    result = await try_question(services_of(request), page.company_id, body.question)
    return await record_list(request, page, SPEC, tried_question=question, tried=result)


entries = record_pages(SPEC, order=34)
