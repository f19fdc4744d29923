"""Range reads through the day cache answer exactly what reading the files answers.

The reference is the same repository with no cache (`cache_mb=0`: every request opens the
range's Parquet files and de-duplicates them in SQL, as before the cache). Both read the
same folder while it changes under them the ways the drain and compaction change it: late
and replayed events landing in old partitions, compaction swapping files, a batch file
rewritten under its own name.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import redis.asyncio as aioredis

from analytics.compaction import compact_all
from analytics.day_rows import DayRowCache
from analytics.events import CallEnded, CallEventBase, CallSummarized
from analytics.generator import (
    CallLogGenerator,
    GeneratorConfig,
    synthetic_call,
    synthetic_companies,
)
from analytics.metrics import ALL_METRICS, Metric
from analytics.parquet_store import ParquetStore
from analytics.repository import CallLogRepository
from analytics.sources import ENGINES, QueryLimits, SessionFactory
from analytics.tables import TABLES, PartitionKey
from tests.analytics.ingest import ingest

SEED = 21
DAYS = 12
ZONES = ("America/New_York", "Pacific/Kiritimati")


def _history() -> tuple[list[CallEventBase], list[str]]:
    """Two companies' recent calls (so the pages' default 30 days hold them), a drafted
    summary for every third call (the call list's join)."""
    start = datetime.now(UTC).date() - timedelta(days=DAYS)
    config = GeneratorConfig(seed=SEED, companies=2, days=DAYS, calls_per_day=12, start=start)
    events: list[CallEventBase] = []
    for n, call in enumerate(CallLogGenerator(config).calls()):
        events += call
        end = next(e for e in call if isinstance(e, CallEnded))
        if n % 3 == 0:
            events.append(CallSummarized(company_id=end.company_id, call_sid=end.call_sid,
                                         started_at=end.started_at, summary=f"Drafted {n}"))
    return events, sorted({event.company_id for event in events})


def _reads(repo: CallLogRepository, company: str, zone: str) -> Iterator[tuple[str, Any]]:
    """Every range read the console and API make, over a few ranges and filters."""
    first = datetime.now(UTC).date() - timedelta(days=DAYS + 1)
    ranges = [{}, {"dateFrom": first.isoformat(), "dateTo": (first + timedelta(days=5))
                   .isoformat()}]
    for bounds in ranges:
        listing = repo.list_calls(company, {**bounds, "pageSize": 7}, zone)
        yield "list", listing
        caller = listing["items"][0]["callerNumber"]
        yield "by caller", repo.list_calls(company, {**bounds, "callerNumber": caller}, zone)
        yield "by outcome", repo.list_calls(company, {**bounds, "outcome": "booked"}, zone)
        for page in (2, listing["total"] // 7, listing["total"] // 7 + 1):
            yield f"page {page}", repo.list_calls(company, {**bounds, "pageSize": 7,
                                                            "page": page}, zone)
        span = (bounds.get("dateFrom"), bounds.get("dateTo"))
        yield "dashboard", repo.dashboard(company, *span, timezone=zone)
        for engine in ENGINES:
            yield f"analytics {engine}", repo.analytics(company, *span, engine, timezone=zone)
            yield f"agents {engine}", repo.agent_performance(company, *span, engine,
                                                             timezone=zone)
            yield f"learning {engine}", repo.learning(company, *span, engine, timezone=zone)


def _assert_same(cached: CallLogRepository, files: CallLogRepository,
                 companies: list[str]) -> None:
    for company in companies:
        for zone in ZONES:
            for (name, got), (_, expected) in zip(_reads(cached, company, zone),
                                                  _reads(files, company, zone), strict=True):
                assert got == expected, f"{name} of {company} in {zone}"


def _in_stream_order(rows: pa.Table) -> pa.Table:
    return rows.sort_by([("date", "ascending"), ("stream_pos", "ascending")])


def _total(repo: CallLogRepository, company: str) -> int:
    return int(repo.list_calls(company, {}, "UTC")["total"])


@pytest.fixture
async def history(redis_async: aioredis.Redis, tmp_path: Path
                  ) -> tuple[list[CallEventBase], list[str]]:
    events, companies = _history()
    await ingest(redis_async, tmp_path, events)
    return events, companies


async def test_cached_reads_match_the_files_as_late_and_replayed_events_arrive(
    history: tuple[list[CallEventBase], list[str]], redis_async: aioredis.Redis,
    tmp_path: Path,
) -> None:
    events, companies = history
    cached = CallLogRepository(str(tmp_path))
    files = CallLogRepository(str(tmp_path), QueryLimits(cache_mb=0))
    _assert_same(cached, files, companies)  # and every day of the range is now cached
    before = _total(cached, companies[0])

    # A late call for an old day, then a replay of the first calls (same event ids) through
    # a fresh stream: new files in partitions the cache holds.
    company = next(c for c in synthetic_companies(2, SEED) if c.company_id == companies[0])
    old_day = datetime.now(UTC) - timedelta(days=DAYS - 2)
    late = synthetic_call(random.Random(5), company, old_day, "+14155550199", False)
    await ingest(redis_async, tmp_path, [*late, *events[:400]])

    _assert_same(cached, files, companies)
    assert _total(cached, companies[0]) == before + 1  # the late call, no replayed one


async def test_cached_reads_follow_compaction_and_a_file_rewritten_in_place(
    history: tuple[list[CallEventBase], list[str]], redis_async: aioredis.Redis,
    tmp_path: Path,
) -> None:
    events, companies = history
    await ingest(redis_async, tmp_path, events[:300])  # duplicates for compaction to drop
    cached = CallLogRepository(str(tmp_path))
    files = CallLogRepository(str(tmp_path), QueryLimits(cache_mb=0))
    _assert_same(cached, files, companies)
    before = _total(cached, companies[0])

    assert compact_all(cached.store)
    _assert_same(cached, files, companies)

    # A file replaced under its own name (as a retried batch does) with one call fewer.
    store = cached.store
    key = PartitionKey("calls", companies[0], store.partitions("calls", companies[0])[3].day)
    [path] = store.partition_files(key)
    store.write(key, Path(path).name, pq.read_table(path).slice(1))
    _assert_same(cached, files, companies)
    assert _total(cached, companies[0]) == before - 1


async def test_the_cache_keeps_to_its_size_and_rereads_what_it_let_go(
    history: tuple[list[CallEventBase], list[str]], tmp_path: Path
) -> None:
    _, companies = history
    store = ParquetStore(str(tmp_path))
    unbounded = DayRowCache(store, SessionFactory(), 2**30)
    days = [key.day for key in store.partitions("turns", companies[0])]
    day_rows = [unbounded.rows("turns", companies[0], day, day) for day in days]
    bound = max(rows.nbytes for rows in day_rows) * 3
    small = DayRowCache(store, SessionFactory(), max_bytes=bound)
    for _ in range(2):
        for day, rows in zip(days, day_rows, strict=True):
            assert small.rows("turns", companies[0], day, day).equals(rows)
            assert 0 < small.held_bytes <= bound
    # A read larger than the cache answers whole and is not kept (its days share buffers).
    assert small.rows("turns", companies[0], None, None).equals(pa.concat_tables(day_rows))
    assert small.held_bytes == 0


async def test_a_file_compacted_away_after_the_listing_is_read_from_a_new_listing(
    history: tuple[list[CallEventBase], list[str]], redis_async: aioredis.Redis,
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    events, companies = history
    await ingest(redis_async, tmp_path, events[:300])
    store = ParquetStore(str(tmp_path))
    expected = DayRowCache(store, SessionFactory(), 2**30).rows("calls", companies[0], None, None)
    stale = store.day_files("calls", companies[0])
    assert compact_all(store)  # removes every listed file of a day that had two
    real = store.day_files
    listings = iter([stale])

    def listing(*args: Any) -> Any:
        return next(listings, None) or real(*args)

    monkeypatch.setattr(store, "day_files", listing)
    fresh = DayRowCache(store, SessionFactory(), 2**30).rows("calls", companies[0], None, None)
    assert _in_stream_order(fresh).equals(_in_stream_order(expected))  # compacted: reordered


def test_no_files_read_as_no_rows_with_the_partition_columns(tmp_path: Path) -> None:
    store = ParquetStore(str(tmp_path))
    empty = DayRowCache(store, SessionFactory(), 2**20).rows("calls", "0a" * 12, date(2026, 1, 1),
                                           date(2026, 1, 2))
    assert empty.num_rows == 0 and empty.column_names[-2:] == ["company_id", "date"]


@pytest.mark.parametrize("metric", ALL_METRICS, ids=lambda metric: metric.name)
def test_each_metric_reads_the_one_table_it_declares(metric: Metric) -> None:
    """A range read loads only the tables its metrics declare; the others read as empty."""
    read = set(re.findall(r"\bFROM (\w+)", metric.sql)) & set(TABLES)
    assert read == {metric.table}
