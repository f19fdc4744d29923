"""The call-log service the HTTP layer calls: call lists, one call's transcript, dashboards.

Every method takes the company id first and opens only that company's partitions; request
filters arrive as validated models and reach SQL as bound parameters. Methods block (file
I/O, query engines), so async callers run them with `asyncio.to_thread`; each call gets
its own DuckDB connection (a cursor of one shared in-memory database) or Polars context,
so the repository is safe to share between threads. Range reads (call lists, dashboards)
query the company's rows from the process's day cache (`analytics.day_rows`, thread-safe,
checked against the partitions' listing on every read), not the files each time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from analytics.day_rows import DayRowCache, local_company_rows
from analytics.errors import InvalidQuery
from analytics.filters import CallLogQuery, CallLookup, DateRange, parse_filter
from analytics.metrics import AGENT_METRICS, CALL_METRICS, GAP_TURN, KNOWLEDGE_GAPS, Metric
from analytics.parquet_store import ParquetStore, require_company_id
from analytics.reports import agent_performance, call_analytics, call_record, learning
from analytics.sources import (
    ENGINES,
    CompanyFiles,
    CompanySource,
    Engine,
    LocalDays,
    QueryLimits,
    SessionFactory,
    company_files,
    local_company_files,
)
from analytics.tables import TableName

_CALL_SID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_CALL_COLUMNS = (
    "call_sid, started_at, ended_at, caller_number, called_number, returning_caller, outcome,"
    " duration_s AS duration_seconds, final_sentiment, turn_count, transferred_to,"
    " transfer_reason, transfer_priority, message, message_urgent, booked_service, booked_for,"
    " summary"
)
_TURN_COLUMNS = (
    "turn_index, recorded_at, caller_text, agent_text, tier, confidence, total_ms, match_ms,"
    " llm_first_token_ms, llm_total_ms, tts_first_byte_ms, sentiment, knowledge_id"
)
# Calls as the call log shows them: a drafted summary (reported after the call's end, so
# in its own table) preferred to the extractive one the end carried.
_SUMMARIZED_CALLS = (
    "(SELECT calls.* REPLACE (coalesce(drafted.summary, calls.summary) AS summary)"
    " FROM calls LEFT JOIN (SELECT call_sid, summary FROM summaries) AS drafted"
    " USING (call_sid)) AS calls"
)
# Newest-first search for a call without a date: a week of partitions, a month, the rest.
CALL_SEARCH_WINDOWS = (7, 31)
# Filter fragments are fixed text; only their values travel, as bound parameters.
_CALL_FILTERS = {"outcome": "outcome = $outcome", "caller_number": "caller_number = $caller_number"}


class CallLogRepository:
    def __init__(self, root: str | ParquetStore, limits: QueryLimits | None = None) -> None:
        self.store = root if isinstance(root, ParquetStore) else ParquetStore(root)
        limits = limits or QueryLimits()
        self._sessions = SessionFactory(limits)
        # No cache (`cache_mb=0`): every request reads and de-duplicates the files itself.
        self._days = (DayRowCache(self.store, self._sessions, limits.cache_mb * 2**20)
                      if limits.cache_mb else None)

    def list_calls(
        self,
        company_id: str,
        query: CallLogQuery | dict[str, Any] | None = None,
        timezone: str = "UTC",
    ) -> dict[str, Any]:
        """One page of a company's calls, newest first; days are the company's (`timezone`)."""
        company_id = require_company_id(company_id)
        if not isinstance(query, CallLogQuery):
            query = {**(query or {}), "today": local_today(timezone)}
        filters = parse_filter(CallLogQuery, query)
        params: dict[str, Any] = {
            name: getattr(filters, name)
            for name in _CALL_FILTERS
            if getattr(filters, name) is not None
        }
        where = " AND ".join(_CALL_FILTERS[name] for name in params) or "TRUE"
        days = LocalDays(timezone, filters.first, filters.last)
        source = self._source(company_id, days, ("calls", "summaries"))
        with self._sessions.open("duckdb", source) as session:
            total = session.rows(f"SELECT COUNT(*) AS n FROM calls WHERE {where}", params)[0]["n"]
            page = session.rows(
                f"SELECT {_CALL_COLUMNS} FROM {_SUMMARIZED_CALLS} WHERE {where}"
                " ORDER BY started_at DESC, call_sid LIMIT $limit OFFSET $offset",
                {
                    **params,
                    "limit": filters.page_size,
                    "offset": (filters.page - 1) * filters.page_size,
                },
            )
        return {
            "items": [call_record(row) for row in page],
            "total": total,
            "page": filters.page,
            "pageSize": filters.page_size,
        }

    def get_call(
        self, company_id: str, call_sid: str, day: date | str | None = None
    ) -> dict[str, Any] | None:
        """A finished call with its transcript; None when the company has no such call.

        `day` (the call's date, as the call list shows it) limits the search to that day's
        partitions (and the day on each side: partitions are UTC days). Without it the
        newest days are searched first, a window at a time, so a recent call never opens
        the whole history.
        """
        company_id = require_company_id(company_id)
        if not isinstance(call_sid, str) or not _CALL_SID.match(call_sid):
            raise InvalidQuery("callSid must be 1-64 letters, digits, '_' or '-'")
        hint = parse_filter(CallLookup, {"on": day}).on
        for first, last in self._search_windows(company_id, hint):
            files = company_files(self.store, company_id, first, last)
            without_turns = replace(files, turns=[])
            with self._sessions.open("duckdb", without_turns) as session:
                found = session.rows(
                    f'SELECT {_CALL_COLUMNS}, "date" FROM {_SUMMARIZED_CALLS}'
                    " WHERE call_sid = $sid",
                    {"sid": call_sid},
                )
            if found:
                return self._with_transcript(company_id, call_sid, found[0])
        return None

    def _search_windows(
        self, company_id: str, hint: date | None
    ) -> Iterator[tuple[date | None, date | None]]:
        """Date ranges to search for one call, most likely first, none searched twice."""
        if hint is not None:
            yield hint - timedelta(days=1), hint + timedelta(days=1)
            return
        days = sorted((key.day for key in self.store.partitions("calls", company_id)),
                      reverse=True)
        upper = None  # the newest day not searched yet (None: no bound)
        for size in CALL_SEARCH_WINDOWS:
            if len(days) <= size:
                yield None, upper
                return
            yield days[size - 1], upper
            upper = days[size]
        yield None, upper

    def _with_transcript(
        self, company_id: str, call_sid: str, call: dict[str, Any]
    ) -> dict[str, Any]:
        day: date = call.pop("date")
        turns = company_files(self.store, company_id, day, day)
        with self._sessions.open("duckdb", turns) as session:
            transcript = session.rows(
                f"SELECT {_TURN_COLUMNS} FROM turns WHERE call_sid = $sid ORDER BY turn_index",
                {"sid": call_sid},
            )
        return {**call_record(call), "transcript": [call_record(turn) for turn in transcript]}

    def analytics(
        self,
        company_id: str,
        date_from: date | str | None = None,
        date_to: date | str | None = None,
        engine: str = "duckdb",
        timezone: str = "UTC",
    ) -> dict[str, Any]:
        """Call volume, outcomes, containment, duration, callers and sentiment."""
        scope = self._scope(company_id, date_from, date_to, engine, timezone)
        metrics = self._run(scope, CALL_METRICS)
        return {**scope.describe(), **call_analytics(metrics, scope.range.days())}

    def agent_performance(
        self,
        company_id: str,
        date_from: date | str | None = None,
        date_to: date | str | None = None,
        engine: str = "duckdb",
        timezone: str = "UTC",
    ) -> dict[str, Any]:
        """Which tiers answered, how confidently, and how fast each stage was."""
        scope = self._scope(company_id, date_from, date_to, engine, timezone)
        return {**scope.describe(), **agent_performance(self._run(scope, AGENT_METRICS))}

    def dashboard(
        self,
        company_id: str,
        date_from: date | str | None = None,
        date_to: date | str | None = None,
        timezone: str = "UTC",
    ) -> dict[str, Any]:
        """`analytics` and `agent_performance` together (the console's charts), all ten
        metrics from one DuckDB session over the range's rows (read from the files once,
        not once per metric, when there is no day cache)."""
        scope = self._scope(company_id, date_from, date_to, "duckdb", timezone)
        rows = self._run(scope, (*CALL_METRICS, *AGENT_METRICS), materialize=True)
        return {"analytics": {**scope.describe(), **call_analytics(rows, scope.range.days())},
                "agentPerformance": {**scope.describe(), **agent_performance(rows)}}

    def learning(
        self,
        company_id: str,
        date_from: date | str | None = None,
        date_to: date | str | None = None,
        engine: str = "duckdb",
        limit: int = 20,
        timezone: str = "UTC",
    ) -> dict[str, Any]:
        """Questions the agent could not answer, clustered, with what to add to the KB."""
        scope = self._scope(company_id, date_from, date_to, engine, timezone)
        gap_rows = self._run(scope, (KNOWLEDGE_GAPS,))[KNOWLEDGE_GAPS.name]
        return {**scope.describe(), **learning(gap_rows, max(1, min(limit, 100)))}

    def gap_questions(self, company_id: str, after: int, since: date | None,
                      limit: int) -> list[dict[str, Any]]:
        """Questions of gap turns logged after stream position `after`, oldest first, with
        their time, position and partition day. Only partitions from the day before `since`
        on are opened: a call's turns land in the partition of the day it started, and no
        call lasts a day, so older days hold nothing newer than `after`."""
        company_id = require_company_id(company_id)
        first = since - timedelta(days=1) if since else None
        turns = company_files(self.store, company_id, first, None).turns
        with self._sessions.open("duckdb", CompanyFiles(calls=[], turns=turns)) as session:
            return session.rows(
                'SELECT caller_text AS question, recorded_at, stream_pos, "date" AS day'
                f" FROM turns WHERE stream_pos > $after AND {GAP_TURN}"
                " ORDER BY stream_pos LIMIT $limit", {"after": after, "limit": limit})

    def answers_from(self, company_id: str, entries_since: dict[str, datetime]) -> int:
        """Turns answered by these knowledge entries, each counted from its own moment."""
        company_id = require_company_id(company_id)
        if not entries_since:
            return 0
        since = {entry: moment.astimezone(UTC).replace(tzinfo=None)
                 for entry, moment in entries_since.items()}
        first = min(since.values()).date() - timedelta(days=1)
        turns = company_files(self.store, company_id, first, None).turns
        with self._sessions.open("duckdb", CompanyFiles(calls=[], turns=turns)) as session:
            rows = session.rows(
                "SELECT knowledge_id, recorded_at FROM turns"
                " WHERE list_contains($ids, knowledge_id)", {"ids": sorted(since)})
        return sum(1 for row in rows if row["recorded_at"] >= since[row["knowledge_id"]])

    def metric_rows(
        self,
        company_id: str,
        metrics: tuple[Metric, ...],
        date_from: date | str | None = None,
        date_to: date | str | None = None,
        engine: str = "duckdb",
        timezone: str = "UTC",
    ) -> dict[str, list[dict[str, Any]]]:
        """Raw rows of chosen metrics (notebooks, benchmarks, engine cross-checks)."""
        scope = self._scope(company_id, date_from, date_to, engine, timezone)
        return self._run(scope, metrics)

    def _scope(
        self, company_id: str, date_from: object, date_to: object, engine: str, timezone: str
    ) -> _Scope:
        company_id = require_company_id(company_id)
        if engine not in ENGINES:
            raise InvalidQuery(f"engine must be one of {', '.join(ENGINES)}")
        date_range = parse_filter(DateRange, {"date_from": date_from, "date_to": date_to,
                                              "today": local_today(timezone)})
        days = LocalDays(timezone, date_range.first, date_range.last)
        return _Scope(company_id, date_range, engine, days)  # type: ignore[arg-type]

    def _source(self, company_id: str, days: LocalDays, tables: Iterable[TableName]
                ) -> CompanySource:
        """What a range read queries: the day cache's rows of `tables` (the others read as
        empty), or every table's files themselves."""
        if self._days is None:
            return local_company_files(self.store, company_id, days)
        return local_company_rows(self._days, company_id, days, frozenset(tables))

    def _run(self, scope: _Scope, metrics: tuple[Metric, ...], materialize: bool = False
             ) -> dict[str, list[dict]]:
        source = self._source(scope.company_id, scope.days, (m.table for m in metrics))
        with self._sessions.open(scope.engine, source, materialize=materialize) as session:
            return {metric.name: session.rows(metric.sql) for metric in metrics}


class _Scope:
    """One request's company, dates (its local days) and engine."""

    def __init__(
        self, company_id: str, date_range: DateRange, engine: Engine, days: LocalDays
    ) -> None:
        self.company_id = company_id
        self.range = date_range
        self.engine = engine
        self.days = days

    def describe(self) -> dict[str, Any]:
        return {
            "companyId": self.company_id,
            "dateFrom": self.range.first.isoformat(),
            "dateTo": self.range.last.isoformat(),
            "timezone": self.days.timezone,
        }


def local_today(timezone: str) -> date:
    """Today in `timezone` (a bad name is the caller's error: 400)."""
    try:
        return datetime.now(ZoneInfo(timezone)).date()
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidQuery(f"unknown timezone: {timezone!r}") from exc
