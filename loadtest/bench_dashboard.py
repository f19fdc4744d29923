"""Turn latency with and without dashboards being read (`make bench`, or on its own).

Analytics run in the replica that answers Twilio. This piece writes a quarter of call
history for the seeded tenants, then runs the same unpaced round of calls twice: alone,
then while `clients` dashboard users read the analytics, agent-performance, learning and
call-log pages over that quarter back to back. The turn webhook's p50/p99 of both rounds
sit side by side, with how many dashboard answers came back meanwhile and how fast.

    python -m loadtest.bench_dashboard [--concurrency 25] [--clients 2] [--calls 100]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from httpx_aiohttp import HttpxAiohttpClient

from analytics.bulk import BulkConfig, write_bulk
from analytics.parquet_store import ParquetStore
from loadtest.bench_calls import BenchTenant
from loadtest.bench_env import BenchEnvironment, BenchNode, NodeOptions, grow_pool, seed_tenants
from loadtest.bench_report import run_metadata
from loadtest.bench_stats import latency_ms, progress, ratio
from loadtest.bench_turns import RoundPlan, calls_per_slot, run_round
from loadtest.twilio_sim import TwilioCallSimulator
from runtime.serve.auth import TokenService
from tenancy.users import Role

HISTORY_DAYS = 90
HISTORY_TURNS = 1_000_000  # over all tenants: ~1,800 turns per tenant-day with 6 tenants
DASHBOARD_PAGES = ("analytics", "agent-performance", "call-logs")


def write_history(node: BenchNode, tenants: Sequence[BenchTenant]) -> dict[str, Any]:
    """A quarter of calls for the tenants, ending yesterday, straight to Parquet."""
    start = datetime.now(UTC).date() - timedelta(days=HISTORY_DAYS)
    config = BulkConfig(turn_rows=HISTORY_TURNS, days=HISTORY_DAYS, start=start,
                        company_ids=tuple(t.company_id for t in tenants))
    summary = write_bulk(ParquetStore(node.settings.parquet_root), config)
    return {"days": HISTORY_DAYS, "from": start.isoformat(), "calls": summary.calls,
            "turns": summary.turns, "files": summary.files}


def _dashboard_urls(node: BenchNode, tenant: BenchTenant, history: dict[str, Any]) -> list[str]:
    first = history["from"]
    last = (datetime.fromisoformat(first) + timedelta(days=HISTORY_DAYS - 1)).date().isoformat()
    company = f"{node.base_url}/api/company/{tenant.company_id}"
    return [f"{company}/{page}?from={first}&to={last}" for page in DASHBOARD_PAGES] + [
        f"{node.base_url}/api/learning/analytics/{tenant.company_id}?from={first}&to={last}"
    ]


async def _read_dashboards(node: BenchNode, tenant: BenchTenant, history: dict[str, Any],
                           stop: asyncio.Event, seconds: list[float], errors: list[str]
                           ) -> None:
    """One dashboard user: every page of its company, back to back, until `stop`."""
    tokens = TokenService(node.settings.jwt_secret.get_secret_value(), 3600)
    token = tokens.mint("dashboard@bench", Role.COMPANY_ADMIN, tenant.company_id)
    urls = _dashboard_urls(node, tenant, history)
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {token}"},
                                 timeout=120) as http:
        while not stop.is_set():
            for url in urls:
                started = time.monotonic()
                response = await http.get(url)
                seconds.append(time.monotonic() - started)
                if response.status_code != 200:
                    errors.append(f"{response.status_code} {url.split('?')[0]}")
                if stop.is_set():
                    return


async def dashboard_load(node: BenchNode, runtime: TwilioCallSimulator,
                         tenants: Sequence[BenchTenant], *, concurrency: int, clients: int,
                         target_calls: int, turns: int = 4) -> dict[str, Any]:
    """The same round of calls alone and beside `clients` dashboard readers."""
    progress(f"dashboard load: writing {HISTORY_DAYS} days of history")
    history = await asyncio.to_thread(write_history, node, tenants)
    plan = RoundPlan(concurrency, calls_per_slot(concurrency, target_calls), turns,
                     seed=7_000_000)
    # actors, connections and caches warm first, or the first round measures start-up
    await run_round(runtime, tenants, RoundPlan(concurrency, 1, turns, seed=6_000_000))
    progress(f"dashboard load: {concurrency} calls alone")
    alone = await run_round(runtime, tenants, plan)
    progress(f"dashboard load: {concurrency} calls beside {clients} dashboard readers")
    stop = asyncio.Event()
    seconds: list[float] = []
    errors: list[str] = []
    readers = [asyncio.create_task(_read_dashboards(node, tenants[i % len(tenants)], history,
                                                    stop, seconds, errors))
               for i in range(clients)]
    try:
        loaded = await run_round(runtime, tenants, plan)
    finally:
        stop.set()
        await asyncio.gather(*readers, return_exceptions=True)
    return {
        "history": history,
        "clients": clients,
        "concurrency": concurrency,
        "alone": alone,
        "with_dashboards": loaded,
        "dashboard_requests": latency_ms(seconds),
        "dashboard_errors": errors[:5],
        "ratio_p50": ratio(loaded["turn_webhook"].get("p50_ms"),
                           alone["turn_webhook"].get("p50_ms")),
        "ratio_p99": ratio(loaded["turn_webhook"].get("p99_ms"),
                           alone["turn_webhook"].get("p99_ms")),
    }


def format_rows(result: dict[str, Any]) -> str:
    """Two lines for the benchmark table."""
    lines = [f"turn webhook beside dashboards (conc {result['concurrency']}, "
             f"{result['clients']} readers)   p50/p99 ms      turns/s  failed"]
    for label, key in (("alone", "alone"), ("with dashboards", "with_dashboards")):
        row = result[key]
        webhook = row["turn_webhook"]
        lines.append(f"  {label:<16} {webhook.get('p50_ms')!s:>8} / {webhook.get('p99_ms')!s:<8}"
                     f"  {row['turns_per_s']!s:>7}  {row['failed_calls']}")
    dashboards = result["dashboard_requests"]
    lines.append(f"  dashboard answers: {dashboards.get('n', 0)}, p50 {dashboards.get('p50_ms')}"
                 f" ms, p99 {dashboards.get('p99_ms')} ms; errors {result['dashboard_errors']}")
    return "\n".join(lines)


async def _measure(node: BenchNode, args: argparse.Namespace) -> dict[str, Any]:
    tenants = await seed_tenants(node, args.tenants, seed=7)
    reason = await grow_pool(node, args.concurrency + 8, per_actor_mb=80.0)
    if reason is not None:
        raise RuntimeError(f"cannot hold the round's calls: {reason}")
    async with HttpxAiohttpClient(limits=httpx.Limits(max_connections=1000)) as http:
        runtime = TwilioCallSimulator(node.base_url, node.twilio_token, http=http)
        return await dashboard_load(node, runtime, tenants, concurrency=args.concurrency,
                                    clients=args.clients, target_calls=args.calls)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m loadtest.bench_dashboard",
                                     description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--concurrency", type=int, default=25)
    parser.add_argument("--clients", type=int, default=2, help="dashboard readers")
    parser.add_argument("--calls", type=int, default=100, help="calls per round")
    parser.add_argument("--tenants", type=int, default=6)
    parser.add_argument("--calls-per-actor", type=int, default=50)
    parser.add_argument("--output", type=Path, default=Path("var/bench/dashboard.json"))
    args = parser.parse_args(argv)
    options = NodeOptions(calls_per_actor=args.calls_per_actor,
                          warm_pool_size=2 * args.calls_per_actor)
    with BenchEnvironment(options) as node:
        result = {"meta": run_metadata(sys.argv[1:] if argv is None else argv),
                  **asyncio.run(_measure(node, args))}
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2, default=str) + "\n")
    print(json.dumps(result, indent=2, default=str))
    print(format_rows(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
