"""The original platform's Q&A, employee and contact documents as records of ours.

Fields with a home here are kept (with the document's own `_id` and `createdAt`, so an
import run twice finds the same records); fields without one are named back to the caller,
who reports them, rather than dropped in silence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import ValidationError

from tenancy.models import CompanyQnA, Contact, Employee
from tenancy.models.records import StoredRecord

Record = TypeVar("Record", bound=StoredRecord)
_MONGO_ONLY = {"companyId", "__v"}
_NOT_COPIED = {"updatedAt"}  # a record imported now is updated now


@dataclass
class Mapped(Generic[Record]):
    record: Record | None
    unmapped_fields: list[str] = field(default_factory=list)
    problem: str | None = None


def map_record(model: type[Record], document: dict[str, Any]) -> Mapped[Record]:
    known = {info.alias or name for name, info in model.model_fields.items()} - _NOT_COPIED
    fields = {key: value for key, value in document.items() if key in known}
    unmapped = sorted(set(document) - known - _MONGO_ONLY - _NOT_COPIED)
    try:
        return Mapped(model.model_validate(fields), unmapped)
    except ValidationError as exc:
        errors = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}"
                           for e in exc.errors(include_url=False))
        return Mapped(None, unmapped, errors)


RECORD_MODELS: dict[str, type[StoredRecord]] = {
    "knowledge": CompanyQnA,
    "employees": Employee,
    "contacts": Contact,
}
