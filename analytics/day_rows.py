"""Each partition day's rows, read and de-duplicated once, kept while its files stay the same.

Reading a company's range straight from Parquet costs every query the same work: open
every day's files (their footers, to unify schemas), de-duplicate every row by `event_id`,
convert every time to the company's timezone. Over 90 days that was most of a call-list or
dashboard request. Here each (table, company, UTC day) partition is read once into memory
in the form compaction writes (current schema, one row per `event_id`, the first by
`stream_pos`: `analytics.compaction`) and reused while the partition's listing is unchanged.

The listing is the validity check, taken on every read: a late or replayed event lands in
an old partition as a new file, a retried batch replaces a file (new inode and time),
compaction swaps files for one: each changes the day's file versions, so that day alone is
read again. Every copy of an event goes to the partition of the day its call started, so
de-duplicating a day at a time is de-duplicating the range. Days not held are read
together, in one DuckDB query. The cache holds at most `max_bytes` of Arrow data (days
read together share their buffers, counted until the last of them leaves), least recently
used days leaving first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from analytics.parquet_store import FileVersion, ParquetStore, require_company_id
from analytics.sources import (
    DEDUPE_VIEW_SQL,
    LOCAL_TIME_OF,
    TABLES,
    CompanyRows,
    LocalDays,
    SessionFactory,
    duckdb_source,
    utc_span,
)
from analytics.tables import TableName, query_schema

_DayKey = tuple[TableName, str, date]
_Listing = list[tuple[date, tuple[FileVersion, ...]]]
_ATTEMPTS = 3  # a compaction may remove a listed file before it is read: list again


class DayRowCache:
    """De-duplicated rows per partition day, shared by every request of one process."""

    def __init__(self, store: ParquetStore, sessions: SessionFactory, max_bytes: int) -> None:
        self._store = store
        self._sessions = sessions
        self._max_bytes = max_bytes
        self._days: OrderedDict[_DayKey, _Day] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    @property
    def held_bytes(self) -> int:
        return self._bytes

    def rows(self, table: TableName, company_id: str, date_from: date | None,
             date_to: date | None) -> pa.Table:
        """The company's rows of `table` in the UTC days [date_from, date_to], with the
        partition columns (`company_id`, `date`) readers see, days in order."""
        company_id = require_company_id(company_id)
        for attempt in range(_ATTEMPTS):
            listing = self._store.day_files(table, company_id, date_from, date_to)
            try:
                days = self._listed_days(table, company_id, listing)
                break
            except duckdb.IOException:  # a listed file is gone (compacted away)
                if attempt == _ATTEMPTS - 1:
                    raise
        return pa.concat_tables(days) if days else query_schema(table).empty_table()

    def _listed_days(self, table: TableName, company_id: str, listing: _Listing
                     ) -> list[pa.Table]:
        held: dict[date, pa.Table] = {}
        with self._lock:
            for day, versions in listing:
                cached = self._days.get((table, company_id, day))
                if cached is not None and cached.versions == versions:
                    self._days.move_to_end((table, company_id, day))
                    held[day] = cached.rows
        stale = [(day, versions) for day, versions in listing if day not in held]
        if stale:
            read = self._read(table, [self._store.reader_path(version.path)
                                      for _, versions in stale for version in versions])
            for day, _ in stale:
                held[day] = read.get(day, query_schema(table).empty_table())
            self._keep(_Read(sum(rows.nbytes for rows in read.values())),
                       [((table, company_id, day), versions, held[day])
                        for day, versions in stale])
        return [held[day] for day, _ in listing]

    def _read(self, table: TableName, paths: list[str]) -> dict[date, pa.Table]:
        """The files' rows by day, one per `event_id` within each day (the first written)."""
        schema = query_schema(table)
        if not paths:
            return {}
        columns = ", ".join(f'"{name}"' for name in schema.names)
        with self._sessions.cursor() as cursor:
            read = cursor.sql(f"SELECT {columns} FROM ({duckdb_source(table, paths)})"
                              ).to_arrow_table()
            if pc.count_distinct(read.column("event_id")).as_py() < read.num_rows:
                cursor.register("day_files", read)  # copies to drop: rarely
                read = cursor.sql(DEDUPE_VIEW_SQL.format(raw="day_files", key='"date", event_id')
                                  ).to_arrow_table()
        return _by_day(read.cast(schema))

    def _keep(self, read: _Read, days: list[tuple[_DayKey, tuple[FileVersion, ...], pa.Table]]
              ) -> None:
        """Hold the days of one read (slices sharing its buffers: counted once, freed when
        its last day leaves), then let the least recently used days go down to the bound."""
        with self._lock:
            for key, versions, rows in days:
                self._drop(key)
                self._days[key] = _Day(versions, rows, read)
                read.days += 1
            self._bytes += read.nbytes
            while self._bytes > self._max_bytes and self._days:
                self._drop(next(iter(self._days)))

    def _drop(self, key: _DayKey) -> None:
        day = self._days.pop(key, None)
        if day is not None:
            day.read.days -= 1
            if not day.read.days:
                self._bytes -= day.read.nbytes


@dataclass(eq=False)
class _Read:
    """Days read together, whose rows share its buffers."""

    nbytes: int
    days: int = 0


@dataclass(frozen=True)
class _Day:
    versions: tuple[FileVersion, ...]
    rows: pa.Table
    read: _Read


def _by_day(rows: pa.Table) -> dict[date, pa.Table]:
    """`rows` split into their days (slices: copying them costs as much as reading)."""
    days = rows.column("date")
    if len(days) > 1 and not pc.all(pc.greater_equal(days[1:], days[:-1])).as_py():
        rows = rows.sort_by("date")  # stable: each day keeps its order
        days = rows.column("date")
    runs = pc.run_end_encode(days.combine_chunks())
    start = 0
    split = {}
    for end, day in zip(runs.run_ends.to_pylist(), runs.values.to_pylist(), strict=True):
        split[day] = rows.slice(start, end - start)
        start = end
    return split


def local_company_rows(cache: DayRowCache, company_id: str, days: LocalDays,
                       tables: frozenset[TableName] = frozenset(TABLES)) -> CompanyRows:
    """The rows of `tables` that can be of `days` (as `sources.local_company_files`), from
    the cache, with their `local_time` (computed here once: SQL's time-zone conversion is
    per query). Tables a request does not read are left empty rather than read."""
    span = utc_span(days)
    return CompanyRows({table: _with_local_time(
        cache.rows(table, company_id, *span) if table in tables
        else query_schema(table).empty_table(), table, days.timezone) for table in TABLES}, days)


def _with_local_time(rows: pa.Table, table: TableName, zone: str) -> pa.Table:
    """`rows` and the local wall-clock time of their moment (naive, as the views have it)."""
    instants = rows.column(LOCAL_TIME_OF[table]).cast(pa.timestamp("us", tz="UTC"))
    local = pc.local_timestamp(instants.cast(pa.timestamp("us", tz=zone)))
    return rows.append_column("local_time", local)
