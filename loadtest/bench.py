"""`python -m loadtest.bench` (`make bench`): how fast and how big one node is.

Starts Redis, Ray and the Serve app with zero-latency provider doubles, seeds tenants
through the admin API, and measures over real HTTP with the Twilio simulator: call setup
(warm pool beside a fresh actor), turn overhead at several concurrencies beside the
single-process floor (`loadtest.floor_app`), paced capacity with memory per call, then
the analytics benchmark. Prints one JSON document (also written to --output) and a table.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import httpx
from httpx_aiohttp import HttpxAiohttpClient

from loadtest.bench_capacity import find_capacity
from loadtest.bench_dashboard import dashboard_load, format_rows
from loadtest.bench_env import (
    BenchEnvironment,
    BenchNode,
    NodeOptions,
    grow_pool,
    load_snapshots,
    seed_tenants,
)
from loadtest.bench_floor import FloorServer
from loadtest.bench_memory import call_actor_memory, idle_actor_cpu
from loadtest.bench_report import format_table, run_metadata
from loadtest.bench_setup import burst_setup, cold_setup, setup_report, warm_setup
from loadtest.bench_stats import progress
from loadtest.bench_turns import booking_round, sweep, unpaced_throughput
from loadtest.floor_app import FloorConfig
from loadtest.twilio_sim import TwilioCallSimulator
from runtime.embedded_redis import free_port
from runtime.providers.factory import ProviderConfig
from runtime.settings import Settings

CLIENT_CONNECTIONS = 1000
BOOKING_CONCURRENCY = 50  # live calls booking at once in the booking row
ASSUMED_ACTOR_MB = 80.0  # USS of an idle call actor (measured ~76-78 MB), until measured


@dataclass(frozen=True)
class BenchPlan:
    tenants: int
    warm_setup_calls: int
    cold_setup_calls: int
    concurrency: tuple[int, ...]
    turns_per_call: int
    target_calls: int  # per concurrency level, per server
    capacity_steps: tuple[int, ...]
    capacity_hold_s: float
    dashboard_clients: int  # 0: no turn round beside dashboard readers
    burst: tuple[int, ...]  # (callers, per second) of the first round; (0, 0): none

    @classmethod
    def for_args(cls, args: argparse.Namespace) -> BenchPlan:
        quick = args.quick
        concurrency = args.concurrency or ((1, 4, 25, 50) if quick else (1, 4, 8, 50, 200))
        steps = args.capacity_steps or ((25, 50) if quick else (50, 100, 150, 200, 250))
        return cls(
            tenants=6 if quick else 12,
            warm_setup_calls=40 if quick else 200,
            cold_setup_calls=8 if quick else 20,
            concurrency=tuple(concurrency),
            turns_per_call=4,
            target_calls=50 if quick else 100,
            capacity_steps=tuple(steps) if not args.skip_capacity else (),
            capacity_hold_s=15.0 if quick else 45.0,
            dashboard_clients=0 if args.skip_dashboard_load else 2,
            burst=tuple(args.burst),
        )

    @property
    def actors_needed(self) -> int:
        return max((*self.concurrency, *self.capacity_steps, 1))


def _ints(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(",") if part.strip())


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m loadtest.bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small run (~3-5 min)")
    parser.add_argument("--calls-per-actor", type=int, default=None,
                        help="calls each CallActor process hosts (default: CALLS_PER_ACTOR's)")
    parser.add_argument("--burst", type=_ints, default=(30, 10),
                        help="callers,per-second of the first round, on the fresh node "
                             "(`make load USERS=30 SPAWN_RATE=10`); 0,0 leaves it out")
    parser.add_argument("--serve-ingress", choices=("haproxy", "proxy"), default="haproxy",
                        help="what answers on the HTTP port (SERVE_INGRESS)")
    parser.add_argument("--api-replicas", type=int, default=1,
                        help="Serve replicas of the API/webhook deployment (API_REPLICAS)")
    parser.add_argument("--output", type=Path, default=Path("var/bench/latest.json"),
                        help="where the JSON results are written")
    parser.add_argument("--skip-analytics", action="store_true",
                        help="leave out the analytics (call-log) benchmark")
    parser.add_argument("--skip-matcher", action="store_true",
                        help="leave out the knowledge matcher benchmark (lexical vs hybrid)")
    parser.add_argument("--skip-capacity", action="store_true",
                        help="leave out the paced capacity steps")
    parser.add_argument("--skip-dashboard-load", action="store_true",
                        help="leave out turn latency beside dashboard readers")
    parser.add_argument("--concurrency", type=_ints, default=None,
                        help="unpaced concurrency levels, e.g. 1,50,200")
    parser.add_argument("--capacity-steps", type=_ints, default=None,
                        help="paced call counts to step through, e.g. 50,100,150,200,250")
    return parser


def _simulator(base_url: str, token: str, http: httpx.AsyncClient) -> TwilioCallSimulator:
    return TwilioCallSimulator(base_url, token, http=http)


async def measure_node(env: BenchEnvironment, node: BenchNode, plan: BenchPlan
                       ) -> dict[str, Any]:
    progress(f"node up in {node.timings_s['start_node']} s; seeding {plan.tenants} tenants")
    tenants = await seed_tenants(node, plan.tenants, seed=7)
    burst = None
    if plan.burst[0]:
        callers, rate = plan.burst
        progress(f"burst: {callers} callers at {rate}/s on the pool as started")
        async with HttpxAiohttpClient(limits=httpx.Limits(max_connections=CLIENT_CONNECTIONS)
                                      ) as http:
            burst = await burst_setup(_simulator(node.base_url, node.twilio_token, http),
                                      tenants, node.pool, callers, rate)
    snapshots = await load_snapshots(node.settings, [t.company_id for t in tenants])
    floor_port = free_port()
    floor_config = FloorConfig(  # the runtime's embedder: the same dialogue work
        f"http://127.0.0.1:{floor_port}", node.twilio_token, {s.company_id: s for s in snapshots},
        ProviderConfig(mode="doubles", embedder=node.settings.provider_config().embedder))
    results: dict[str, Any] = {"node": {"timings_s": node.timings_s}}
    sweep_actors = max(plan.concurrency) + 8
    progress(f"growing the call-actor pool to {sweep_actors} actors")
    reason = await grow_pool(node, sweep_actors, per_actor_mb=ASSUMED_ACTOR_MB)
    if reason is not None:
        raise RuntimeError(f"cannot hold the sweep's calls: {reason}")
    idle = await call_actor_memory()
    results["node"]["memory_after_fill"] = idle
    results["node"]["idle_actor_cpu"] = await idle_actor_cpu()
    per_actor_mb = idle["idle_uss"].get("mean_mb", ASSUMED_ACTOR_MB)
    limits = httpx.Limits(max_connections=CLIENT_CONNECTIONS,
                          max_keepalive_connections=CLIENT_CONNECTIONS)
    # aiohttp's connection pool under httpx's API: httpcore's pool scans every connection
    # on each request, which made the simulated callers, not the node, the bottleneck at
    # 200 calls (py-spy: ~35 % of the client's samples in `_assign_requests_to_connections`).
    async with HttpxAiohttpClient(limits=limits) as http:
        runtime = _simulator(node.base_url, node.twilio_token, http)
        progress("call setup: warm pool over HTTP, then fresh actors")
        results["setup"] = setup_report(
            await warm_setup(runtime, tenants, plan.warm_setup_calls),
            await cold_setup(node.settings, tenants, plan.cold_setup_calls),
            burst,
        )
        progress(f"turn overhead at concurrency {plan.concurrency}, runtime and floor")
        with FloorServer(floor_config, env.work_dir, floor_port) as floor_url:
            results["turns"] = await sweep(
                runtime, _simulator(floor_url, node.twilio_token, http), tenants,
                plan.concurrency, turns=plan.turns_per_call, target_calls=plan.target_calls)
        results["unpaced_throughput"] = unpaced_throughput(results["turns"])
        if plan.dashboard_clients:
            results["dashboard_load"] = await dashboard_load(
                node, runtime, tenants, concurrency=min(25, max(plan.concurrency)),
                clients=plan.dashboard_clients, target_calls=plan.target_calls)
        booking_concurrency = min(BOOKING_CONCURRENCY, max(plan.concurrency))
        progress(f"booking calls at concurrency {booking_concurrency}")
        results["booking_turns"] = await booking_round(
            runtime, tenants, booking_concurrency, plan.target_calls)
        if plan.capacity_steps:
            results["capacity"] = await find_capacity(
                runtime, tenants, plan.capacity_steps, plan.capacity_hold_s,
                partial(grow_pool, node, per_actor_mb=per_actor_mb))
    results["node"]["pool"] = vars(await node.pool.stats.remote())
    return results


def run(args: argparse.Namespace, argv: list[str]) -> dict[str, Any]:
    plan = BenchPlan.for_args(args)
    defaults = Settings.model_fields
    per_actor = args.calls_per_actor or defaults["calls_per_actor"].default
    results: dict[str, Any] = {"meta": run_metadata(argv), "quick": args.quick,
                               "calls_per_actor": per_actor,
                               "serve_ingress": args.serve_ingress,
                               "api_replicas": args.api_replicas,
                               "plan": vars(plan)}
    started = time.perf_counter()
    env = BenchEnvironment(NodeOptions(
        max_concurrent_calls=max(300, plan.actors_needed + 50),
        calls_per_actor=per_actor,
        # `make run`'s free slots unless the layout differs: then two actors' worth
        warm_pool_size=(defaults["warm_pool_size"].default if args.calls_per_actor is None
                        else max(8, 2 * per_actor)),
        serve_ingress=args.serve_ingress,
        api_replicas=args.api_replicas,
    ))
    with env as node:
        results |= asyncio.run(measure_node(env, node, plan))
    if not args.skip_matcher:
        from loadtest.bench_matcher import run_matcher_bench

        progress("knowledge matcher benchmark")
        results["matcher"] = run_matcher_bench(args.quick)
    if not args.skip_analytics:
        from analytics.bench import run_benchmarks

        progress("analytics benchmark")
        results["analytics"] = run_benchmarks(args.quick)
    results["meta"]["elapsed_s"] = round(time.perf_counter() - started, 1)
    return results


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    results = run(args, argv)
    document = json.dumps(results, indent=2, default=str)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(document + "\n")
    print(document)
    print(format_table(results))
    if "dashboard_load" in results:
        print(format_rows(results["dashboard_load"]))
    if "matcher" in results:
        from loadtest.bench_matcher import format_table as matcher_table

        print(matcher_table(results["matcher"]))
    if "analytics" in results:
        from analytics.bench import format_table as analytics_table

        print(analytics_table(results["analytics"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
