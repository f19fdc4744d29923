"""`clientsvia import EXPORT_DIR`: bring companies over from the original platform.

Reads its MongoDB export (`tenancy/legacy/export.py`: companies, Q&A, employees,
contacts, conversation logs) and creates each company under its original `_id`, its
records under theirs, and its conversation logs as Parquet call logs. What already exists
is left as it is, so running the import again changes nothing. Prints what it did, and
every field or document it could not map.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from analytics.legacy_calls import ConvertedCalls, add_conversation, write_imported
from analytics.parquet_store import ParquetStore
from runtime.settings import Settings
from tenancy.errors import Conflict, NotFound
from tenancy.legacy.company import CompanyDocument
from tenancy.legacy.export import COLLECTIONS, ExportError, collection_file, read_documents
from tenancy.legacy.records import RECORD_MODELS, map_record
from tenancy.registry import CompanyRegistry

_MAX_UNKNOWN_FIELDS = 50


@dataclass
class ImportReport:
    created: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    changed: list[str] = field(default_factory=list)
    not_mapped: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        kinds = sorted(set(self.created) | set(self.unchanged))
        done = [f"{kind}: {self.created[kind]} imported, {self.unchanged[kind]} already there"
                for kind in kinds]
        return (done + [f"changed: {item}" for item in self.changed]
                + [f"not mapped: {item}" for item in self.not_mapped])


def _remove(document: dict[str, Any], path: tuple[Any, ...]) -> None:
    node: Any = document
    for part in path[:-1]:
        node = node[part]
    del node[path[-1]]


def company_document(raw: dict[str, Any], report: ImportReport) -> CompanyDocument | None:
    """Validate, dropping (and reporting) fields that have no place in our company."""
    document = dict(raw)
    for _ in range(_MAX_UNKNOWN_FIELDS):
        try:
            return CompanyDocument.model_validate(document)
        except ValidationError as exc:
            errors = exc.errors(include_url=False)
            unknown = [e["loc"] for e in errors if e["type"] == "extra_forbidden"]
            if len(unknown) < len(errors) or not unknown:
                first = next(e for e in errors if e["type"] != "extra_forbidden")
                report.not_mapped.append(
                    f"company {raw.get('_id')}: {'.'.join(map(str, first['loc']))}: "
                    f"{first['msg']}; company not imported")
                return None
            for path in unknown:
                _remove(document, path)
                report.not_mapped.append(f"company {raw.get('_id')}: field "
                                         f"{'.'.join(map(str, path))} has no equivalent")
    return None


async def _import_company(raw: dict[str, Any], registry: CompanyRegistry,
                          report: ImportReport) -> None:
    company_id = raw.get("_id")
    if isinstance(company_id, str):
        try:
            await registry.get(company_id, include_inactive=True)
            report.unchanged["companies"] += 1
            return
        except NotFound:
            pass
    document = company_document(raw, report)
    if document is None:
        return
    if document.id is None:
        report.not_mapped.append(f"company {document.companyName!r} has no _id: not imported")
        return
    try:
        await registry.create(document.profile(), document.id, document.createdAt)
    except Conflict as exc:
        report.not_mapped.append(f"company {document.id}: {exc}; not imported")
        return
    report.created["companies"] += 1
    report.changed.extend(f"company {document.id}: {w}" for w in document.warnings)


async def _is_company(registry: CompanyRegistry, company_id: object) -> bool:
    try:
        return isinstance(company_id, str) and bool(
            await registry.get(company_id, include_inactive=True))
    except NotFound:
        return False


async def _import_records(kind: str, documents: list[dict[str, Any]],
                          registry: CompanyRegistry, report: ImportReport) -> None:
    unknown_fields: Counter[str] = Counter()
    for raw in documents:
        owner = raw.get("companyId")
        if not await _is_company(registry, owner):
            report.not_mapped.append(f"{kind} {raw.get('_id')}: company {owner} is not there")
            continue
        mapped = map_record(RECORD_MODELS[kind], raw)
        unknown_fields.update(mapped.unmapped_fields)
        if mapped.record is None:
            report.not_mapped.append(f"{kind} {raw.get('_id')}: {mapped.problem}")
            continue
        try:
            kept = await getattr(registry.tenant(str(owner)), kind).keep(mapped.record)
        except Conflict as exc:
            report.not_mapped.append(f"{kind} {raw.get('_id')}: {exc}")
            continue
        (report.created if kept else report.unchanged)[kind] += 1
    report.not_mapped.extend(f"{kind}: field {name!r} ({count} documents) has no equivalent"
                             for name, count in sorted(unknown_fields.items()))


async def _import_calls(documents: list[dict[str, Any]], registry: CompanyRegistry,
                        calls: ParquetStore, report: ImportReport) -> None:
    converted = ConvertedCalls()
    for raw in documents:
        if await _is_company(registry, raw.get("companyId")):
            add_conversation(converted, str(raw["companyId"]), raw)
        else:
            report.not_mapped.append(f"conversation {raw.get('callSid')}: company "
                                     f"{raw.get('companyId')} is not there")
    written, unchanged = await asyncio.to_thread(write_imported, calls, converted)
    report.created["call-log files"] += written
    report.unchanged["call-log files"] += unchanged
    report.not_mapped.extend(converted.problems)
    report.not_mapped.extend(f"conversations: field {name!r} has no equivalent"
                             for name in sorted(converted.unmapped_fields))


async def import_export(folder: Path, registry: CompanyRegistry,
                        calls: ParquetStore) -> ImportReport:
    files = {kind: collection_file(folder, kind) for kind in COLLECTIONS}
    if not any(files.values()):
        raise ExportError(f"{folder}: no export files (companies.json, companyqnas.json, "
                          "employees.json, contacts.json, conversationlogs.json)")
    documents = {kind: list(read_documents(path)) if path else [] for kind, path in files.items()}
    report = ImportReport()
    for raw in documents["companies"]:
        await _import_company(raw, registry, report)
    for kind in RECORD_MODELS:
        await _import_records(kind, documents[kind], registry, report)
    await _import_calls(documents["conversations"], registry, calls, report)
    return report


def run(export_dir: str, settings: Settings) -> int:
    import redis.asyncio as aioredis

    from tenancy.secrets import SecretBox

    async def go() -> ImportReport:
        redis = aioredis.Redis.from_url(settings.redis_url, decode_responses=True)
        try:
            registry = CompanyRegistry(
                redis, SecretBox(settings.clientsvia_secret_key.get_secret_value()))
            return await import_export(Path(export_dir), registry,
                                       ParquetStore(settings.parquet_root))
        finally:
            await redis.aclose()

    try:
        report = asyncio.run(go())
    except (ExportError, OSError) as exc:
        print(f"clientsvia import: {exc}")
        return 1
    print("\n".join(report.lines()))
    return 0
