"""Benchmark the call-log pipeline: ingest rate and dashboard query latency.

`run_benchmarks(quick)` measures (1) sustained ingest, events/s from the Redis stream into
Parquet through the real drain, and (2) with N turn rows spread over 1,000 companies, the
p50/p99 latency of each dashboard query for one company, DuckDB beside Polars in the same
run. `python -m analytics.bench [--quick]` prints JSON and a short table.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import redis.asyncio as aioredis

from analytics.bulk import BulkConfig, write_bulk
from analytics.drain import CallLogDrain
from analytics.emitter import CallEventEmitter
from analytics.events import CallEventBase
from analytics.generator import CallLogGenerator, GeneratorConfig
from analytics.metrics import ALL_METRICS
from analytics.repository import CallLogRepository
from analytics.sources import ENGINES
from runtime.embedded_redis import EmbeddedRedis


def run_benchmarks(quick: bool = False) -> dict[str, Any]:
    ingest_events = 20_000 if quick else 200_000
    bulk = (
        BulkConfig(turn_rows=300_000, companies=1000, days=3)
        if quick
        else BulkConfig(turn_rows=10_000_000, companies=1000, days=14)
    )
    with tempfile.TemporaryDirectory(prefix="clientsvia-bench-") as work:
        return {
            "machine": _machine(),
            "date": date.today().isoformat(),
            "quick": quick,
            "ingest": asyncio.run(bench_ingest(Path(work), ingest_events)),
            "queries": bench_queries(Path(work) / "bulk", bulk, repeats=15 if quick else 30),
        }


async def bench_ingest(work: Path, events: int, batch_size: int = 5000) -> dict[str, Any]:
    """Emit `events` generated events, then time the drain until the stream is empty."""
    generated = _take_events(events)
    with EmbeddedRedis(data_dir=work / "redis") as server:
        client = aioredis.Redis.from_url(server.url, decode_responses=True)
        try:
            emitter = CallEventEmitter(client, stream="bench:call-events")
            started = time.perf_counter()
            for chunk in range(0, len(generated), 5000):
                await emitter.emit_many(generated[chunk : chunk + 5000])
            emit_s = time.perf_counter() - started
            drain = CallLogDrain(
                client, str(work / "ingest"), stream="bench:call-events", batch_size=batch_size
            )
            started = time.perf_counter()
            drained = await drain.drain_until_idle()
            drain_s = time.perf_counter() - started
        finally:
            await client.aclose()
    return {
        "events": drained,
        "batch_size": batch_size,
        "emit_events_per_s": round(len(generated) / emit_s),
        "drain_events_per_s": round(drained / drain_s),
        "rows_written": drain.stats.rows,
        "files_written": drain.stats.files,
    }


def bench_queries(root: Path, config: BulkConfig, repeats: int) -> dict[str, Any]:
    """Latency of each dashboard query for one company, per engine."""
    started = time.perf_counter()
    summary = write_bulk_store(root, config)
    build_s = time.perf_counter() - started
    repo = CallLogRepository(str(root))
    company = summary["companies"][len(summary["companies"]) // 2]
    first, last = config.start, config.start + timedelta(days=config.days - 1)
    endpoints: dict[str, Callable[[str], object]] = {
        "analytics": lambda engine: repo.analytics(company, first, last, engine),
        "agent_performance": lambda engine: repo.agent_performance(company, first, last, engine),
        "learning": lambda engine: repo.learning(company, first, last, engine),
    }
    endpoints.update(
        {
            f"metric:{metric.name}": (
                lambda engine, metric=metric: repo.metric_rows(  # type: ignore[misc]
                    company, (metric,), first, last, engine
                )
            )
            for metric in ALL_METRICS
        }
    )
    timings = {
        name: {engine: _percentiles(run, engine, repeats) for engine in ENGINES}
        for name, run in endpoints.items()
    }
    page = {"dateFrom": first, "dateTo": last, "pageSize": 50}
    timings["list_calls"] = {
        "duckdb": _percentiles(lambda _: repo.list_calls(company, page), "duckdb", repeats)
    }
    return {
        "turn_rows": summary["turns"],
        "call_rows": summary["calls"],
        "companies": config.companies,
        "days": config.days,
        "files": summary["files"],
        "dataset_build_s": round(build_s, 1),
        "company_turn_rows": config.turn_rows // config.companies,
        "latency_ms": timings,
    }


def write_bulk_store(root: Path, config: BulkConfig) -> dict[str, Any]:
    from analytics.parquet_store import ParquetStore

    summary = write_bulk(ParquetStore(str(root)), config)
    return {
        "companies": summary.companies,
        "calls": summary.calls,
        "turns": summary.turns,
        "files": summary.files,
    }


def _take_events(count: int) -> list[CallEventBase]:
    events: list[CallEventBase] = []
    config = GeneratorConfig(seed=3, companies=50, days=60, calls_per_day=12)
    for event in CallLogGenerator(config).events():
        events.append(event)
        if len(events) >= count:
            break
    return events


def _percentiles(run: Callable[[str], object], engine: str, repeats: int) -> dict[str, float]:
    run(engine)  # warm caches once, as a dashboard in use would be
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        run(engine)
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {
        "p50": round(statistics.median(samples), 2),
        "p99": round(samples[min(len(samples) - 1, round(0.99 * (len(samples) - 1)))], 2),
    }


def _machine() -> dict[str, Any]:
    import os

    return {
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "polars": pl.__version__,
    }


def format_table(results: dict[str, Any]) -> str:
    ingest = results["ingest"]
    queries = results["queries"]
    lines = [
        f"ingest: {ingest['drain_events_per_s']} events/s drained "
        f"({ingest['events']} events, batch {ingest['batch_size']}), "
        f"emit {ingest['emit_events_per_s']} events/s",
        f"queries: {queries['turn_rows']} turn rows, {queries['companies']} companies, "
        f"{queries['company_turn_rows']} turns for the queried company",
        f"{'query':34} {'duckdb p50':>11} {'p99':>8} {'polars p50':>11} {'p99':>8}",
    ]
    for name, engines in queries["latency_ms"].items():
        duck = engines.get("duckdb", {})
        polars = engines.get("polars", {})
        lines.append(
            f"{name:34} {duck.get('p50', '-'):>11} {duck.get('p99', '-'):>8}"
            f" {polars.get('p50', '-'):>11} {polars.get('p99', '-'):>8}"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small dataset, seconds not minutes")
    args = parser.parse_args()
    results = run_benchmarks(quick=args.quick)
    print(json.dumps(results, indent=2, default=str))
    print(format_table(results))


if __name__ == "__main__":
    main()
