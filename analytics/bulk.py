"""Write millions of synthetic rows straight to Parquet, for the analytics benchmark.

The event path (`analytics.generator` → stream → drain) is the realistic one but moves
thousands of events a second; a 10-million-turn dataset needs the columns built with
NumPy and written partition by partition. The rows have the same schema, partitioning,
outcome mix and hour curve as the event path, and are deterministic for a seed.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from analytics.events import TIERS
from analytics.generator import HOUR_WEIGHTS, OUTCOME_MIX, company_ids
from analytics.parquet_store import ParquetStore
from analytics.tables import FILE_SCHEMAS, PartitionKey
from analytics.trade_questions import KNOWN, UNKNOWN

_US_PER_S = 1_000_000
# Tier mix of the turns after the greeting, roughly what the event generator produces.
_TIER_MIX = {
    "knowledge": 0.34, "trade_knowledge": 0.14, "llm": 0.10, "fallback": 0.08,
    "goodbye": 0.2, "transfer": 0.04, "message": 0.03, "booking": 0.05, "emergency": 0.02,
}


@dataclass(frozen=True)
class BulkConfig:
    turn_rows: int = 10_000_000
    companies: int = 1000
    days: int = 28
    start: date = date(2025, 1, 6)
    seed: int = 11
    workers: int = 4
    # Write for these companies (e.g. tenants a benchmark seeded) instead of generated ids.
    company_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class BulkSummary:
    companies: list[str]
    calls: int
    turns: int
    files: int


def write_bulk(store: ParquetStore, config: BulkConfig) -> BulkSummary:
    """Generate and write every company's calls and turns; returns what was written."""
    ids = list(config.company_ids) or company_ids(config.companies, config.seed)
    per_company = max(1, config.turn_rows // len(ids))
    with ThreadPoolExecutor(max_workers=config.workers) as pool:
        results = list(
            pool.map(
                lambda pair: _write_company(store, config, pair[0], pair[1], per_company),
                enumerate(ids),
            )
        )
    return BulkSummary(
        companies=ids,
        calls=sum(r[0] for r in results),
        turns=sum(r[1] for r in results),
        files=sum(r[2] for r in results),
    )


def _write_company(
    store: ParquetStore, config: BulkConfig, index: int, company_id: str, turns: int
) -> tuple[int, int, int]:
    rng = np.random.default_rng([config.seed, index])
    turn_counts = rng.integers(2, 7, size=turns // 2 + 1)
    calls = int(np.searchsorted(np.cumsum(turn_counts), turns)) + 1
    turn_counts = turn_counts[:calls]
    turn_counts[-1] -= int(turn_counts.sum()) - turns
    calls_table, starts_us = _calls(rng, config, company_id, index, turn_counts)
    turns_table = _turns(rng, calls_table, starts_us, turn_counts)
    files = 0
    epoch = np.datetime64(config.start, "D")
    call_days = (starts_us // (86_400 * _US_PER_S)).astype(np.int64)
    turn_days = np.repeat(call_days, turn_counts)
    for name, table, days in (("calls", calls_table, call_days), ("turns", turns_table, turn_days)):
        for day in np.unique(days):
            rows = table.filter(pa.array(days == day))
            partition_day = (epoch + np.timedelta64(int(day), "D")).astype(date)
            key = PartitionKey(name, company_id, partition_day)  # type: ignore[arg-type]
            store.write(key, f"bulk-{config.seed}.parquet", rows)
            files += 1
    return calls, turns, files


def _calls(
    rng: np.random.Generator,
    config: BulkConfig,
    company_id: str,
    index: int,
    turn_counts: np.ndarray,
) -> tuple[pa.Table, np.ndarray]:
    """The `calls` columns; start times are microseconds since `config.start`."""
    n = len(turn_counts)
    hours = np.array(HOUR_WEIGHTS, dtype=float)
    day = rng.integers(0, config.days, size=n)
    hour = rng.choice(24, size=n, p=hours / hours.sum())
    starts_us = ((day * 86_400 + hour * 3600 + rng.integers(0, 3600, size=n)) * _US_PER_S)
    duration_s = np.round(turn_counts * rng.uniform(6, 16, size=n), 3)
    base = np.datetime64(config.start, "us").astype(np.int64)
    sids = pc.binary_join_element_wise(
        f"CA{index:06d}", pa.array(np.char.zfill(np.arange(n).astype(str), 26)), ""
    )
    outcomes = np.array(list(OUTCOME_MIX))
    weights = np.array(list(OUTCOME_MIX.values()))
    pool = np.array([f"+1555{index % 1000:03d}{k:04d}" for k in range(max(1, n // 2))])
    table = pa.table(
        {
            "event_id": pc.binary_join_element_wise(sids, ":ended", ""),
            "stream_pos": np.arange(n, dtype=np.int64),
            "call_sid": sids,
            "started_at": pa.array(base + starts_us, pa.timestamp("us")),
            "ended_at": pa.array(base + starts_us + (duration_s * _US_PER_S).astype(np.int64),
                                 pa.timestamp("us")),
            "caller_number": pool[rng.integers(0, len(pool), size=n)],
            "called_number": np.full(n, f"+1800555{index % 10_000:04d}"),
            "returning_caller": rng.random(n) < 0.3,
            "outcome": outcomes[rng.choice(len(outcomes), size=n, p=weights / weights.sum())],
            "duration_s": duration_s,
            "final_sentiment": np.round(np.clip(rng.normal(0.25, 0.4, size=n), -1, 1), 3),
            "turn_count": turn_counts.astype(np.int32),
        }
    )
    missing = [f for f in FILE_SCHEMAS["calls"] if f.name not in table.column_names]
    for field in missing:
        table = table.append_column(field, pa.nulls(n, field.type))
    return table.select(FILE_SCHEMAS["calls"].names).cast(FILE_SCHEMAS["calls"]), starts_us


def _turns(
    rng: np.random.Generator, calls: pa.Table, starts_us: np.ndarray, turn_counts: np.ndarray
) -> pa.Table:
    n = int(turn_counts.sum())
    first = np.repeat(np.cumsum(turn_counts) - turn_counts, turn_counts)
    turn_index = (np.arange(n) - first).astype(np.int32)
    tiers = np.array(list(_TIER_MIX))
    weights = np.array(list(_TIER_MIX.values()))
    tier = tiers[rng.choice(len(tiers), size=n, p=weights / weights.sum())]
    tier[turn_index == 0] = "greeting"
    assert set(np.unique(tier)) <= set(TIERS)
    known = np.array([q for questions in KNOWN.values() for q, _ in questions])
    gaps = np.array([wording for variants in UNKNOWN for wording in variants])
    text = known[rng.integers(0, len(known), size=n)]
    is_gap = tier == "fallback"
    text[is_gap] = gaps[rng.integers(0, len(gaps), size=int(is_gap.sum()))]
    text[turn_index == 0] = ""
    confidence = np.where(is_gap, rng.uniform(0.05, 0.45, n), rng.uniform(0.6, 0.99, n))
    has_confidence = np.isin(tier, ["knowledge", "trade_knowledge", "fallback", "llm"])
    llm = tier == "llm"
    match = rng.uniform(2, 18, n)
    tts = rng.lognormal(np.log(110), 0.3, n)
    first_token = rng.lognormal(np.log(380), 0.35, n)
    llm_total = first_token + rng.uniform(300, 1500, n)
    total = match + tts + np.where(llm, first_token, 0) + rng.uniform(10, 40, n)
    sids = pc.take(calls["call_sid"], pa.array(np.repeat(np.arange(len(turn_counts)), turn_counts)))
    base = np.datetime64(calls["started_at"][0].as_py(), "us").astype(np.int64) - starts_us[0]
    at_us = np.repeat(starts_us, turn_counts) + turn_index.astype(np.int64) * 9 * _US_PER_S
    table = pa.table(
        {
            "event_id": pc.binary_join_element_wise(
                sids, pc.cast(pa.array(turn_index), pa.string()), ":turn:"
            ),
            "stream_pos": np.arange(n, dtype=np.int64),
            "call_sid": sids,
            "turn_index": turn_index,
            "recorded_at": pa.array(base + at_us, pa.timestamp("us")),
            "caller_text": text,
            "agent_text": np.where(is_gap, "I'm not sure about that one.", "Sure, here's how."),
            "tier": tier,
            "confidence": pa.array(np.round(confidence, 3), mask=~has_confidence),
            "total_ms": np.round(total, 2),
            "match_ms": np.round(match, 2),
            "llm_first_token_ms": pa.array(np.round(first_token, 2), mask=~llm),
            "llm_total_ms": pa.array(np.round(llm_total, 2), mask=~llm),
            "tts_first_byte_ms": np.round(tts, 2),
            "sentiment": np.round(np.clip(rng.normal(0.2, 0.4, n), -1, 1), 3),
            "knowledge_id": pa.nulls(n, pa.string()),
        }
    )
    return table.cast(FILE_SCHEMAS["turns"])


def partition_days(config: BulkConfig) -> list[date]:
    return [config.start + timedelta(days=n) for n in range(config.days)]
