"""Each partition day's rows, read and de-duplicated once, kept while its files stay the same.

Reading a company's range straight from Parquet costs every query the same work: open
every day's files (their footers, to unify schemas), then de-duplicate every row by
`event_id`. Over 90 days that is most of a call-list or dashboard request. Here each
(table, company, UTC day) partition is read once into memory in the form compaction writes
(current schema, one row per `event_id`, the first by `stream_pos`: `analytics.compaction`)
and reused while the partition's listing is unchanged.

The listing is the validity check, taken on every read: a late or replayed event lands in
an old partition as a new file, a retried batch replaces a file (new inode and time),
compaction swaps files for one: each changes the day's file versions, so that day alone is
read again. Every copy of an event goes to the partition of the day its call started, so
de-duplicating a day at a time is de-duplicating the range. The cache holds at most
`max_bytes` of Arrow data, least recently used days leaving first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import date

import pyarrow as pa

from analytics.compaction import conform, deduplicate
from analytics.parquet_store import FileVersion, ParquetStore, require_company_id
from analytics.tables import FILE_SCHEMAS, TableName, query_schema

_DayKey = tuple[TableName, str, date]
_RETRIES = 3  # a compaction may remove a listed file before it is read: list again


class DayRowCache:
    """De-duplicated rows per partition day, shared by every request of one process."""

    def __init__(self, store: ParquetStore, max_bytes: int) -> None:
        self._store = store
        self._max_bytes = max_bytes
        self._days: OrderedDict[_DayKey, tuple[tuple[FileVersion, ...], pa.Table]] = (
            OrderedDict())
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
        days = [self._day(table, company_id, day, versions)
                for day, versions in self._store.day_files(table, company_id, date_from,
                                                           date_to)]
        if not days:
            return query_schema(table).empty_table()
        return pa.concat_tables(days)

    def _day(self, table: TableName, company_id: str, day: date,
             versions: tuple[FileVersion, ...]) -> pa.Table:
        key = (table, company_id, day)
        with self._lock:
            cached = self._days.get(key)
            if cached is not None and cached[0] == versions:
                self._days.move_to_end(key)
                return cached[1]
        versions, rows = self._read(key, versions)
        self._keep(key, versions, rows)
        return rows

    def _read(self, key: _DayKey, versions: tuple[FileVersion, ...]
              ) -> tuple[tuple[FileVersion, ...], pa.Table]:
        table, company_id, day = key
        for _ in range(_RETRIES):
            try:
                return versions, _day_rows(self._store, key, versions)
            except FileNotFoundError:
                listed = self._store.day_files(table, company_id, day, day)
                versions = listed[0][1] if listed else ()
        return versions, _day_rows(self._store, key, versions)

    def _keep(self, key: _DayKey, versions: tuple[FileVersion, ...], rows: pa.Table) -> None:
        size = rows.nbytes
        with self._lock:
            old = self._days.pop(key, None)
            if old is not None:
                self._bytes -= old[1].nbytes
            if size > self._max_bytes:
                return
            self._days[key] = (versions, rows)
            self._bytes += size
            while self._bytes > self._max_bytes:
                _, (_, evicted) = self._days.popitem(last=False)
                self._bytes -= evicted.nbytes


def _day_rows(store: ParquetStore, key: _DayKey, versions: tuple[FileVersion, ...]
              ) -> pa.Table:
    """One partition's files merged as compaction merges them, plus its partition columns."""
    table, company_id, day = key
    schema = FILE_SCHEMAS[table]
    files = [conform(store.read(version.path), schema) for version in versions]
    merged = deduplicate(pa.concat_tables(files)).cast(schema) if files else schema.empty_table()
    count = merged.num_rows
    return merged.append_column(
        "company_id", pa.array([company_id] * count, pa.string())
    ).append_column("date", pa.array([day] * count, pa.date32()))
