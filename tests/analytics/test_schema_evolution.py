"""Columns added to the call-log tables later (`summary`, `knowledge_id`) leave the
partitions written before them readable: both engines and compaction see them as null."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa

from analytics.compaction import compact_partition
from analytics.events import CallEnded, CallStarted, TurnRecorded
from analytics.parquet_store import ParquetStore
from analytics.repository import CallLogRepository
from analytics.sources import ENGINES, SessionFactory, company_files
from analytics.tables import FILE_SCHEMAS, OpenCallFacts, PartitionKey, call_row, turn_row

COMPANY = "0123456789abcdef01234567"
STARTED = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
NEW_COLUMNS = {"calls": "summary", "turns": "knowledge_id"}


def _call(sid: str, summary: str, knowledge_id: str | None) -> tuple[dict, dict]:
    common = {"company_id": COMPANY, "call_sid": sid, "started_at": STARTED}
    started = CallStarted(**common, caller_number="+12395550100", called_number="+12395550111")
    turn = TurnRecorded(**common, turn_index=0, at=STARTED, caller_text="do you fix boilers",
                        agent_text="Yes.", tier="knowledge", confidence=0.9, total_ms=5,
                        match_ms=1, knowledge_id=knowledge_id)
    ended = CallEnded(**common, outcome="answered_knowledge", duration_s=30, turn_count=1,
                      ended_at=STARTED + timedelta(seconds=30), summary=summary)
    return call_row(ended, OpenCallFacts(started=started), 2), turn_row(turn, 1)


def _write(store: ParquetStore, name: str, rows: dict[str, dict], old: bool) -> None:
    for table, row in rows.items():
        schema = FILE_SCHEMAS[table]  # type: ignore[index]
        if old:  # as written before the column existed
            schema = schema.remove(schema.get_field_index(NEW_COLUMNS[table]))
            row = {k: v for k, v in row.items() if k != NEW_COLUMNS[table]}
        key = PartitionKey(table, COMPANY, STARTED.date())  # type: ignore[arg-type]
        store.write(key, name, pa.Table.from_pylist([row], schema=schema))


def _seed(root: Path) -> ParquetStore:
    store = ParquetStore(str(root))
    old_call, old_turn = _call("CAold", "", None)
    new_call, new_turn = _call("CAnew", "Jo called about boilers.", "a" * 24)
    _write(store, "old.parquet", {"calls": old_call, "turns": old_turn}, old=True)
    _write(store, "new.parquet", {"calls": new_call, "turns": new_turn}, old=False)
    return store


def test_old_and_new_files_read_together_in_both_engines(tmp_path: Path) -> None:
    repository = CallLogRepository(_seed(tmp_path))
    listed = repository.list_calls(COMPANY, {"dateFrom": "2026-03-01", "dateTo": "2026-03-03"})
    summaries = {item["callSid"]: item["summary"] for item in listed["items"]}
    assert summaries == {"CAold": None, "CAnew": "Jo called about boilers."}
    detail = repository.get_call(COMPANY, "CAnew", "2026-03-02")
    assert detail is not None and detail["summary"] == "Jo called about boilers."
    assert detail["transcript"][0]["knowledgeId"] == "a" * 24
    files = company_files(repository.store, COMPANY, None, None)
    for engine in ENGINES:
        with SessionFactory().open(engine, files) as session:
            calls = session.rows("SELECT call_sid, summary FROM calls ORDER BY call_sid")
            turns = session.rows("SELECT call_sid, knowledge_id FROM turns ORDER BY call_sid")
        assert [row["summary"] for row in calls] == ["Jo called about boilers.", None], engine
        assert [row["knowledge_id"] for row in turns] == ["a" * 24, None], engine


def test_compaction_merges_old_and_new_files(tmp_path: Path) -> None:
    store = _seed(tmp_path)
    key = PartitionKey("calls", COMPANY, STARTED.date())
    result = compact_partition(store, key)
    assert result is not None and result.rows == 2
    merged = store.read(result.merged_file).to_pylist()
    assert sorted((row["call_sid"], row["summary"]) for row in merged) == [
        ("CAnew", "Jo called about boilers."), ("CAold", None)]
