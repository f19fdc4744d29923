"""The node under benchmark: embedded Redis, Ray, the Serve app and its call-actor pool.

Everything is started in a temporary folder on free ports with the zero-latency provider
doubles and torn down afterwards. Tenants are seeded through the admin API (as an
operator would), each with a voice so every answer is synthesized and played.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import secrets
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil
import ray
import redis.asyncio as aioredis
from pydantic import SecretStr

from loadtest.bench_calls import BenchTenant
from loadtest.run_load import TenantSeeder
from runtime.actors.messages import CallSetup
from runtime.actors.pool import PoolConfig, ensure_pool
from runtime.conversation import CompanySnapshot
from runtime.embedded_redis import EmbeddedRedis, free_port
from runtime.node import ServeIngress, deploy_app, start_ray, stop_node
from runtime.serve.auth import TokenService
from runtime.settings import Settings
from tenancy.registry import CompanyRegistry
from tenancy.secrets import SecretBox
from tenancy.users import Role

BENCH_VOICE = "BenchVoice000001"
MEMORY_HEADROOM_MB = 3000  # left for the rest of the machine (others may run tests here)
# A claim waits this long for an actor being started instead of refusing the call: the
# bench grows the pool to the concurrency it needs once (`fill_pool`), then measures.
BENCH_CLAIM_WAIT_S = 1200.0
OBJECT_STORE_BYTES = 512 * 1024 * 1024


@dataclass(frozen=True)
class NodeOptions:
    warm_pool_size: int = 8  # free call slots kept warm
    max_concurrent_calls: int = 300
    api_max_ongoing_requests: int = 2000
    calls_per_actor: int = 1  # 1: one actor process per call (the brief's default)
    serve_ingress: ServeIngress = "haproxy"
    api_replicas: int = 1


@dataclass
class BenchNode:
    """A running node: where to call it, its settings, its pool and seeded tenants."""

    base_url: str
    settings: Settings
    pool: Any
    twilio_token: str
    tenants: list[BenchTenant] = field(default_factory=list)
    timings_s: dict[str, float] = field(default_factory=dict)


class BenchEnvironment:
    """`with BenchEnvironment(options) as node:` starts Redis, Ray and Serve; exit stops all."""

    def __init__(self, options: NodeOptions | None = None) -> None:
        self.options = options or NodeOptions()
        self._work = tempfile.TemporaryDirectory(prefix="clientsvia-bench-")
        self._redis: EmbeddedRedis | None = None
        self.node: BenchNode | None = None

    @property
    def work_dir(self) -> Path:
        return Path(self._work.name)

    def __enter__(self) -> BenchNode:
        started = time.perf_counter()
        self._redis = EmbeddedRedis(data_dir=self.work_dir / "redis").start()
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        twilio_token = secrets.token_hex(16)
        settings = Settings(
            redis_url=self._redis.url,
            jwt_secret=SecretStr(secrets.token_urlsafe(24)),
            clientsvia_secret_key=SecretStr(secrets.token_urlsafe(24)),
            public_base_url=base_url,
            twilio_auth_token=SecretStr(twilio_token),
            provider_mode="doubles",
            double_profile="zero",
            parquet_root=str(self.work_dir / "parquet"),
            http_host="127.0.0.1",
            http_port=port,
            haproxy_stats_port=free_port(),  # others may run a node on this machine
            haproxy_metrics_port=free_port(),
            serve_ingress=self.options.serve_ingress,
            api_replicas=self.options.api_replicas,
            warm_pool_size=self.options.warm_pool_size,
            max_concurrent_calls=self.options.max_concurrent_calls,
            # capacity rounds may put every call on one tenant: no per-tenant ceiling here
            max_calls_per_company=self.options.max_concurrent_calls,
            calls_per_actor=self.options.calls_per_actor,
            # 200 calls per call slot before the actor is recycled: with 200 in all, the
            # full run retired 10 of 21 actors mid-measurement (a ~1.5 s CPU start each)
            actor_max_uses=200 * self.options.calls_per_actor,
            api_max_ongoing_requests=self.options.api_max_ongoing_requests,
            api_rate_per_minute=1_000_000,
            new_call_rate_per_minute=10_000_000,
            bcrypt_rounds=4,
        )
        start_ray(settings, object_store_memory=OBJECT_STORE_BYTES)
        config = PoolConfig.from_settings(settings, claim_wait_s=BENCH_CLAIM_WAIT_S,
                                          reserved_slots=0)
        pool = ensure_pool(settings, config=config)  # the replica finds this one by name
        deploy_app(settings)
        self.node = BenchNode(base_url, settings, pool, twilio_token)
        self.node.timings_s["start_node"] = round(time.perf_counter() - started, 2)
        warm = time.perf_counter()
        ray.get(pool.wait_warm.remote(300))
        self.node.timings_s["warm_pool"] = round(time.perf_counter() - warm, 2)
        return self.node

    def __exit__(self, *exc: object) -> None:
        if ray.is_initialized() and self.node is not None:
            # teardown goes on whatever happens: Ray is shut down next anyway
            with contextlib.suppress(Exception):
                ray.get(self.node.pool.shutdown.remote(), timeout=30)
        stop_node()
        if self._redis is not None:
            self._redis.stop()
        self._work.cleanup()


def admin_token(settings: Settings) -> str:
    tokens = TokenService(settings.jwt_secret.get_secret_value(), settings.jwt_ttl_s)
    return tokens.mint("bench@clientsvia", Role.PLATFORM_ADMIN)


async def seed_tenants(node: BenchNode, count: int, seed: int) -> list[BenchTenant]:
    """Companies with knowledge, a number and an on-call employee, each with a voice."""
    token = admin_token(node.settings)
    auth = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=node.base_url, timeout=60) as http:
        seeded = await TenantSeeder(http, token, random.Random(seed)).seed(count)
        for tenant in seeded:
            response = await http.patch(f"/api/company/{tenant.company_id}/ai-settings",
                                        json={"elevenLabs": {"voiceId": BENCH_VOICE}},
                                        headers=auth)
            response.raise_for_status()
    node.tenants = [BenchTenant(t.company_id, t.number, t.trade) for t in seeded]
    return node.tenants


async def load_snapshots(settings: Settings, company_ids: list[str]) -> list[CompanySnapshot]:
    """The snapshots the call actors build, read the same way (for the floor)."""
    redis = aioredis.Redis.from_url(settings.redis_url, decode_responses=True)
    registry = CompanyRegistry(redis, SecretBox(settings.clientsvia_secret_key.get_secret_value()))
    try:
        snapshots = []
        for company_id in company_ids:
            store = registry.tenant(company_id)
            company = await store.load_company()
            if company is None:
                raise RuntimeError(f"seeded company {company_id} is missing")
            knowledge, staff = await asyncio.gather(store.knowledge.list(),
                                                    store.employees.list())
            snapshots.append(CompanySnapshot.from_documents(company, knowledge, staff))
        return snapshots
    finally:
        await redis.aclose()


def _free_slots(stats: Any) -> int:
    return int(stats.extra.get("free_slots", stats.idle))


async def fill_pool(pool: Any, calls: int, company_id: str) -> float:
    """Grow the pool to at least `calls` free call slots (claim them all, give them back)."""
    started = time.perf_counter()
    stats = await pool.stats.remote()
    if calls - _free_slots(stats) > 0:
        setups = [CallSetup(company_id, "CA" + secrets.token_hex(16), "+14155550100",
                            "+14155550101") for _ in range(calls)]
        claimed = await asyncio.gather(*(pool.claim.remote(setup) for setup in setups))
        held = [(name, setup.call_sid) for name, setup in zip(claimed, setups, strict=True)
                if isinstance(name, str)]
        await asyncio.gather(*(pool.release.remote(name, sid) for name, sid in held))
        if len(held) < calls:
            raise RuntimeError(f"the pool handed out {len(held)} of {calls} call slots")
    # The claims made the pool start actors to stay warm: let them finish starting, or
    # their start-up (~1.3 s of CPU each) lands inside the next measurement.
    while (await pool.stats.remote()).starting:
        await asyncio.sleep(0.25)
    return round(time.perf_counter() - started, 2)


async def grow_pool(node: BenchNode, calls: int, per_actor_mb: float) -> str | None:
    """Grow the pool to `calls` free slots if memory allows; else say why not."""
    stats = await node.pool.stats.remote()
    missing = calls - _free_slots(stats)
    if missing <= 0:
        return None
    per_actor = node.settings.calls_per_actor
    available_mb = psutil.virtual_memory().available / (1024 * 1024)
    needed_mb = -(-missing // per_actor) * per_actor_mb + MEMORY_HEADROOM_MB
    if available_mb < needed_mb:
        return (f"{missing} more call slots need ~{needed_mb:.0f} MB with headroom, "
                f"{available_mb:.0f} MB available")
    node.timings_s[f"grow_pool_to_{calls}"] = await fill_pool(
        node.pool, calls, node.tenants[0].company_id)
    return None
