"""Open one company's `calls`, `turns` and `summaries` as SQL tables, in DuckDB or Polars.

Both engines get the same explicit file list (only that company's partitions within the
date range, built from a validated id) and the same deduplicating view text, so a metric's
SQL runs unchanged on either. The view keeps the first-written row per `event_id`, which
is what makes a replayed batch or an interrupted compaction invisible to every query.
Range reads (call lists, dashboards) get the same rows already de-duplicated, a day at a
time, from the process's day cache instead (`CompanyRows`, `analytics.day_rows`): the
views then only filter them.

Partitions are UTC days; a company reads its history in its own days. So every view has
`local_time` (a call's start, a turn's time, in the company's timezone), a range of local
days opens the UTC partitions one day wider on each side, and the view keeps the rows
whose local day is in the range (`LocalDays`).
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any, Literal, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import duckdb
import polars as pl
import pyarrow as pa

from analytics.parquet_store import ParquetStore, require_company_id
from analytics.tables import FILE_SCHEMAS, TABLES, TableName, query_schema

Engine = Literal["duckdb", "polars"]
ENGINES: tuple[Engine, ...] = ("duckdb", "polars")
DEDUPE_VIEW_SQL = (
    "SELECT * FROM {raw} QUALIFY row_number() OVER (PARTITION BY {key} ORDER BY stream_pos) = 1"
)
_DUCKDB_SCAN = (
    "SELECT * FROM read_parquet({files}, hive_partitioning = true, union_by_name = true,"
    " hive_types = {{'company_id': VARCHAR, 'date': DATE}})"
)
_DUCKDB_TYPES = {
    pa.string(): "VARCHAR",
    pa.int64(): "BIGINT",
    pa.int32(): "INTEGER",
    pa.float64(): "DOUBLE",
    pa.bool_(): "BOOLEAN",
    pa.timestamp("us"): "TIMESTAMP",
    pa.date32(): "DATE",
}
_POLARS_HIVE = {"company_id": pl.String, "date": pl.Date}
FLOAT_DIGITS = 6


_TIMEZONE_NAME = re.compile(r"^[A-Za-z0-9_+\-/]{1,64}$")
# The moment a row's local day is taken from: when a call started, when a turn was spoken.
LOCAL_TIME_OF: dict[TableName, str] = {
    "calls": "started_at", "turns": "recorded_at", "summaries": "started_at",
}


@dataclass(frozen=True)
class LocalDays:
    """Days in a company's timezone; rows whose `local_time` falls outside are left out
    (no bound: every row, `local_time` still in the timezone)."""

    timezone: str = "UTC"
    first: date | None = None
    last: date | None = None

    def __post_init__(self) -> None:
        # The name is written into SQL text (DuckDB takes no parameters in a view).
        if not _TIMEZONE_NAME.match(self.timezone):
            raise ValueError(f"not a timezone name: {self.timezone!r}")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone: {self.timezone!r}") from exc

    def where_sql(self) -> str:
        """The row filter, as SQL both engines run (dates are validated `date`s)."""
        bounds = []
        if self.first is not None:
            bounds.append(f"CAST(local_time AS DATE) >= CAST('{self.first.isoformat()}' AS DATE)")
        if self.last is not None:
            bounds.append(f"CAST(local_time AS DATE) <= CAST('{self.last.isoformat()}' AS DATE)")
        return " AND ".join(bounds) or "TRUE"


@dataclass(frozen=True)
class CompanyFiles:
    """Reader paths of one company's data files per table, and the local days to keep."""

    calls: list[str]
    turns: list[str]
    summaries: list[str] = field(default_factory=list)
    days: LocalDays = LocalDays()

    def of(self, table: TableName) -> list[str]:
        return {"calls": self.calls, "turns": self.turns, "summaries": self.summaries}[table]


def company_files(
    store: ParquetStore, company_id: str, date_from: date | None, date_to: date | None
) -> CompanyFiles:
    company_id = require_company_id(company_id)
    found = {
        table: [
            store.reader_path(path)
            for path in store.list_files(table, company_id, date_from, date_to)
        ]
        for table in TABLES
    }
    return CompanyFiles(calls=found["calls"], turns=found["turns"],
                        summaries=found["summaries"])


def local_company_files(
    store: ParquetStore, company_id: str, days: LocalDays
) -> CompanyFiles:
    """The files that can hold rows of `days`, filtered to those local days when queried."""
    return replace(company_files(store, company_id, *utc_span(days)), days=days)


@dataclass(frozen=True)
class CompanyRows:
    """One company's rows per table, already one per `event_id` (`analytics.day_rows`),
    with the local days to keep."""

    tables: Mapping[TableName, pa.Table]
    days: LocalDays = LocalDays()


def utc_span(days: LocalDays) -> tuple[date | None, date | None]:
    """The UTC partitions that can hold rows of `days`: a day wider on each side (no
    timezone is a whole day from UTC)."""
    widen = timedelta(days=1)
    return days.first and days.first - widen, days.last and days.last + widen


CompanySource = CompanyFiles | CompanyRows


class QuerySession(Protocol):
    def rows(self, sql: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]: ...


class DuckDBSession:
    """A private DuckDB connection (cursor) with temp views `calls`, `turns`, `summaries`
    (temp tables with `materialize`)."""

    def __init__(self, cursor: duckdb.DuckDBPyConnection, source: CompanySource,
                 materialize: bool = False) -> None:
        # TEMP objects and registered Arrow tables live in this connection only, so
        # concurrent sessions never collide. Rows are not copied (`materialize` is for files).
        self._cursor = cursor
        kind = "TABLE" if materialize and isinstance(source, CompanyFiles) else "VIEW"
        zone = source.days.timezone
        for table in TABLES:
            raw = f"{table}_raw"
            if isinstance(source, CompanyRows):
                cursor.register(raw, source.tables[table])
            else:
                at = LOCAL_TIME_OF[table]
                cursor.execute(
                    f"CREATE TEMP VIEW {raw} AS SELECT *, ({at} AT TIME ZONE 'UTC') AT TIME"
                    f" ZONE '{zone}' AS local_time FROM ({duckdb_source(table, source.of(table))})"
                )
            cursor.execute(f"CREATE TEMP {kind} {table} AS {_view_sql(raw, source)}")

    def rows(self, sql: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        result = self._cursor.execute(sql, dict(params) if params else None)
        names = [column[0] for column in result.description or []]
        return [_normalize_row(dict(zip(names, row, strict=True))) for row in result.fetchall()]


class PolarsSession:
    """A Polars SQLContext over lazy scans of the same files (or frames of the same rows)."""

    def __init__(self, source: CompanySource) -> None:
        self._context = pl.SQLContext()
        zone = source.days.timezone
        for table in TABLES:
            raw = f"{table}_raw"
            if isinstance(source, CompanyRows):
                frame = pl.from_arrow(source.tables[table])
                assert isinstance(frame, pl.DataFrame)
                scan = frame.lazy()
            else:
                at = pl.col(LOCAL_TIME_OF[table])
                local = at.dt.replace_time_zone("UTC").dt.convert_time_zone(zone)
                scan = _polars_scan(source.of(table), table).with_columns(
                    local.dt.replace_time_zone(None).alias("local_time"))
            self._context.register(raw, scan)
            self._context.register(table, self._context.execute(_view_sql(raw, source)))

    def rows(self, sql: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        if params:
            raise ValueError("Polars SQL takes no bound parameters; filter the sources instead")
        frame = self._context.execute(sql).collect()
        return [_normalize_row(row) for row in frame.to_dicts()]


def _view_sql(raw: str, source: CompanySource) -> str:
    """The deduplicated rows of the company's local days (`CompanyRows` are already)."""
    in_days = f"SELECT * FROM {raw} WHERE {source.days.where_sql()}"
    return in_days if isinstance(source, CompanyRows) else DEDUPE_VIEW_SQL.format(
        raw=f"({in_days})", key="event_id")


def duckdb_source(table: TableName, paths: list[str]) -> str:
    """The scan of a table's files, or a typed empty relation when there are none.

    DDL takes no bound parameters, so the file list is written as SQL string literals:
    every path comes from the store's own listing (a configured root, a validated company
    id, `date=YYYY-MM-DD` folders, `[A-Za-z0-9_.-]` file names), and quotes are escaped.
    """
    if paths:
        files = "[" + ", ".join("'" + path.replace("'", "''") + "'" for path in paths) + "]"
        return _DUCKDB_SCAN.format(files=files)
    columns = ", ".join(
        f'CAST(NULL AS {_DUCKDB_TYPES[field.type]}) AS "{field.name}"'
        for field in query_schema(table)
    )
    return f"SELECT {columns} WHERE false"


def _polars_scan(paths: list[str], table: TableName) -> pl.LazyFrame:
    if not paths:
        return pl.from_arrow(query_schema(table).empty_table()).lazy()  # type: ignore[union-attr]
    # Older files lack columns added since (`tables.py`): read them as nulls.
    return pl.scan_parquet(paths, hive_partitioning=True, hive_schema=_POLARS_HIVE,
                           schema=_polars_file_schema(table), missing_columns="insert")


def _polars_file_schema(table: TableName) -> pl.Schema:
    empty = pl.from_arrow(FILE_SCHEMAS[table].empty_table())
    assert isinstance(empty, pl.DataFrame)
    return empty.schema


@dataclass(frozen=True)
class QueryLimits:
    """What one process's analytics may take. None keeps the engine's default (every core,
    80 % of memory for DuckDB): right for notebooks and benchmarks, not for the process
    that answers webhooks."""

    threads: int | None = None
    memory_mb: int | None = None
    cache_mb: int = 256  # de-duplicated partition days kept in memory (`DayRowCache`)

    def duckdb_config(self) -> dict[str, Any]:
        config: dict[str, Any] = {}
        if self.threads is not None:
            config["threads"] = self.threads
        if self.memory_mb is not None:
            config["memory_limit"] = f"{self.memory_mb}MB"
        return config


class SessionFactory:
    """Hands out one query session per request; safe to share between threads.

    DuckDB's limits hold for the whole in-memory database, so for every session at once.
    Polars sizes its thread pool from `POLARS_MAX_THREADS` when it is first imported: the
    process that runs it sets that (`runtime.serve.app`)."""

    def __init__(self, limits: QueryLimits | None = None) -> None:
        self._database = duckdb.connect(config=(limits or QueryLimits()).duckdb_config())
        self._lock = threading.Lock()

    @contextmanager
    def open(self, engine: Engine, source: CompanySource, *, materialize: bool = False
             ) -> Iterator[QuerySession]:
        """A session over `source`'s files or rows; `materialize` (DuckDB, files) reads
        and de-duplicates the files once for the session's many queries."""
        if engine == "polars":
            yield PolarsSession(source)
            return
        with self.cursor() as cursor:
            yield DuckDBSession(cursor, source, materialize)

    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A private connection to the shared database (its limits), closed after use."""
        with self._lock:
            cursor = self._database.cursor()
        try:
            yield cursor
        finally:
            cursor.close()


def _normalize_row(row: dict[str, Any]) -> dict[str, Any]:
    """Same Python values from both engines: rounded floats, NaN as None, plain ints."""
    return {name: _normalize_value(value) for name, value in row.items()}


def _normalize_value(value: Any) -> Any:
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, FLOAT_DIGITS)
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    return value
