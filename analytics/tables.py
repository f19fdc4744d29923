"""The Parquet tables (`calls`, `turns`, `summaries`) and how events become their rows.

`calls` holds one row per ended call (and per call no agent took); `turns` one row per
recorded turn; `summaries` one row per drafted call summary, which call-log reads prefer
to the `calls` row's extractive one (a draft arrives after the end, often after its row
was written). All are partitioned `company_id=<id>/date=<UTC date the call started>/`, and
those two columns live only in the path (Hive style). Timestamps are stored as naive UTC
microseconds, so every engine reads the same wall-clock values regardless of its session
time zone. `stream_pos` orders rows by their stream entry, so deduplication keeps the
first write. Columns are only ever appended: readers open every file by the current schema, a column
an older file lacks reading as null (`analytics.sources`, `analytics.compaction`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal

import pyarrow as pa

from analytics.call_summary import not_taken_summary
from analytics.events import (
    AppointmentBooked,
    CallEnded,
    CallNotTaken,
    CallStarted,
    CallSummarized,
    MessageTaken,
    TransferMade,
    TurnRecorded,
)

TableName = Literal["calls", "turns", "summaries"]
TABLES: tuple[TableName, ...] = ("calls", "turns", "summaries")
_TS = pa.timestamp("us")

CALLS_SCHEMA = pa.schema(
    [
        ("event_id", pa.string()),
        ("stream_pos", pa.int64()),
        ("call_sid", pa.string()),
        ("started_at", _TS),
        ("ended_at", _TS),
        ("caller_number", pa.string()),
        ("called_number", pa.string()),
        ("returning_caller", pa.bool_()),
        ("outcome", pa.string()),
        ("duration_s", pa.float64()),
        ("final_sentiment", pa.float64()),
        ("turn_count", pa.int32()),
        ("transferred_to", pa.string()),
        ("transfer_reason", pa.string()),
        ("transfer_priority", pa.string()),
        ("message", pa.string()),
        ("message_urgent", pa.bool_()),
        ("booked_service", pa.string()),
        ("booked_for", _TS),
        ("summary", pa.string()),  # added later: older files lack it (read as null)
    ]
)
TURNS_SCHEMA = pa.schema(
    [
        ("event_id", pa.string()),
        ("stream_pos", pa.int64()),
        ("call_sid", pa.string()),
        ("turn_index", pa.int32()),
        ("recorded_at", _TS),
        ("caller_text", pa.string()),
        ("agent_text", pa.string()),
        ("tier", pa.string()),
        ("confidence", pa.float64()),
        ("total_ms", pa.float64()),
        ("match_ms", pa.float64()),
        ("llm_first_token_ms", pa.float64()),
        ("llm_total_ms", pa.float64()),
        ("tts_first_byte_ms", pa.float64()),
        ("sentiment", pa.float64()),
        ("knowledge_id", pa.string()),  # added later: older files lack it (read as null)
    ]
)
SUMMARIES_SCHEMA = pa.schema(
    [
        ("event_id", pa.string()),
        ("stream_pos", pa.int64()),
        ("call_sid", pa.string()),
        ("started_at", _TS),
        ("summary", pa.string()),
    ]
)
FILE_SCHEMAS: dict[TableName, pa.Schema] = {
    "calls": CALLS_SCHEMA, "turns": TURNS_SCHEMA, "summaries": SUMMARIES_SCHEMA,
}
PARTITION_FIELDS = [pa.field("company_id", pa.string()), pa.field("date", pa.date32())]


def query_schema(table: TableName) -> pa.Schema:
    """What a reader sees: the file columns plus the Hive partition columns."""
    schema = FILE_SCHEMAS[table]
    for field in PARTITION_FIELDS:
        schema = schema.append(field)
    return schema


@dataclass(frozen=True, order=True)
class PartitionKey:
    table: TableName
    company_id: str
    day: date


@dataclass
class OpenCallFacts:
    """What is known about a call before it ends (kept by the LogSink until `CallEnded`)."""

    started: CallStarted | None = None
    transfer: TransferMade | None = None
    message: MessageTaken | None = None
    booking: AppointmentBooked | None = None

    def updated_with(self, newer: OpenCallFacts | None) -> OpenCallFacts:
        """These facts with any fact `newer` holds taking precedence."""
        if newer is None:
            return self
        return OpenCallFacts(
            started=newer.started or self.started,
            transfer=newer.transfer or self.transfer,
            message=newer.message or self.message,
            booking=newer.booking or self.booking,
        )


def stream_position(entry_id: str) -> int:
    """`"1712345678901-7"` → one sortable int64 (ms * 10^6 + seq)."""
    ms, _, seq = entry_id.partition("-")
    return int(ms) * 1_000_000 + min(int(seq or 0), 999_999)


def utc_naive(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None)


def partition_day(started_at: datetime) -> date:
    return utc_naive(started_at).date()


def turn_row(event: TurnRecorded, stream_pos: int) -> dict[str, Any]:
    return {
        "event_id": event.event_id,
        "stream_pos": stream_pos,
        "call_sid": event.call_sid,
        "turn_index": event.turn_index,
        "recorded_at": utc_naive(event.at),
        "caller_text": event.caller_text,
        "agent_text": event.agent_text,
        "tier": event.tier,
        "confidence": event.confidence,
        "total_ms": event.total_ms,
        "match_ms": event.match_ms,
        "llm_first_token_ms": event.llm_first_token_ms,
        "llm_total_ms": event.llm_total_ms,
        "tts_first_byte_ms": event.tts_first_byte_ms,
        "sentiment": event.sentiment,
        "knowledge_id": event.knowledge_id,
    }


def summary_row(event: CallSummarized, stream_pos: int) -> dict[str, Any]:
    return {
        "event_id": event.event_id,
        "stream_pos": stream_pos,
        "call_sid": event.call_sid,
        "started_at": utc_naive(event.started_at),
        "summary": event.summary,
    }


def call_row(ended: CallEnded, facts: OpenCallFacts, stream_pos: int) -> dict[str, Any]:
    """The one `calls` row: the end event plus whatever the call reported before it."""
    started, transfer, message, booking = (
        facts.started,
        facts.transfer,
        facts.message,
        facts.booking,
    )
    return {
        "event_id": ended.event_id,
        "stream_pos": stream_pos,
        "call_sid": ended.call_sid,
        "started_at": utc_naive(ended.started_at),
        "ended_at": utc_naive(ended.ended_at),
        "caller_number": started.caller_number if started else None,
        "called_number": started.called_number if started else None,
        "returning_caller": started.returning_caller if started else None,
        "outcome": ended.outcome,
        "duration_s": ended.duration_s,
        "final_sentiment": ended.final_sentiment,
        "turn_count": ended.turn_count,
        "transferred_to": transfer.to_number if transfer else None,
        "transfer_reason": transfer.reason if transfer else None,
        "transfer_priority": transfer.priority if transfer else None,
        "message": message.message if message else None,
        "message_urgent": message.urgent if message else None,
        "booked_service": booking.service if booking else None,
        "booked_for": utc_naive(booking.scheduled_for) if booking else None,
        "summary": ended.summary or None,
    }


def not_taken_row(event: CallNotTaken, stream_pos: int) -> dict[str, Any]:
    """The `calls` row of a call no agent took: it ended as it started, with no turns;
    duration and sentiment are null, so the dashboards' averages stay those of calls
    the agent had."""
    at = utc_naive(event.started_at)
    return {
        **dict.fromkeys(CALLS_SCHEMA.names),
        "event_id": event.event_id,
        "stream_pos": stream_pos,
        "call_sid": event.call_sid,
        "started_at": at,
        "ended_at": at,
        "caller_number": event.caller_number,
        "called_number": event.called_number,
        "outcome": "not_taken",  # no conversation: no duration or sentiment to average
        "turn_count": 0,
        "transferred_to": event.forwarded_to,
        "summary": not_taken_summary(event.caller_number, event.reason, event.forwarded_to),
    }


class PartitionedRows:
    """Rows of one batch grouped by the partition (table, company, day) they belong to."""

    def __init__(self) -> None:
        self._rows: dict[PartitionKey, list[dict[str, Any]]] = defaultdict(list)

    def add(self, table: TableName, company_id: str, started_at: datetime, row: dict) -> None:
        self._rows[PartitionKey(table, company_id, partition_day(started_at))].append(row)

    def __len__(self) -> int:
        return sum(len(rows) for rows in self._rows.values())

    def tables(self) -> dict[PartitionKey, pa.Table]:
        return {
            key: pa.Table.from_pylist(rows, schema=FILE_SCHEMAS[key.table])
            for key, rows in sorted(self._rows.items())
        }
