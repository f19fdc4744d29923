"""Reading the original platform's MongoDB export: one file per collection.

`mongoexport` writes MongoDB Extended JSON (`{"$oid": …}`, `{"$date": …}`), one document
per line, or one array with `--jsonArray`; both are read. `bson.json_util` (from the
official driver) decodes the extended types, and `plain` turns them into JSON values
our models take: ObjectIds become their hex strings, dates stay datetimes.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bson import ObjectId, json_util

# The collections read, by the file names mongoexport users give them (Mongoose's plural).
COLLECTIONS = {
    "companies": ("companies",),
    "knowledge": ("companyqnas", "qnas", "knowledge"),
    "employees": ("employees",),
    "contacts": ("contacts",),
    "conversations": ("conversationlogs", "conversations"),
}


class ExportError(ValueError):
    """A file of the export cannot be read as Extended JSON."""


def plain(value: Any) -> Any:
    """Extended-JSON values as plain ones: ObjectId → hex string, dates → aware datetimes."""
    if isinstance(value, ObjectId):
        return str(value)
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def collection_file(folder: Path, collection: str) -> Path | None:
    for name in COLLECTIONS[collection]:
        for suffix in (".json", ".jsonl"):
            if (folder / f"{name}{suffix}").is_file():
                return folder / f"{name}{suffix}"
    return None


def read_documents(path: Path) -> Iterator[dict[str, Any]]:
    text = path.read_text(encoding="utf-8")
    try:
        if text.lstrip().startswith("["):
            documents = json_util.loads(text)
        else:
            documents = [json_util.loads(line) for line in text.splitlines() if line.strip()]
    except ValueError as exc:
        raise ExportError(f"{path.name}: not MongoDB Extended JSON ({exc})") from exc
    for document in documents:
        if not isinstance(document, dict):
            raise ExportError(f"{path.name}: expected one JSON object per document")
        yield plain(document)
