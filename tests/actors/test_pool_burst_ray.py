"""A burst of callers on a real pool (Ray, Redis, call actors): none waits for a process.

The pool keeps `warm_pool_size` free call slots; a burst of that many callers at once is
greeted from slots that already exist, and the pool starts more actors in the background.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
import redis.asyncio as aioredis

from runtime.actors.gateway import CallGateway
from runtime.actors.messages import AgentReply
from runtime.settings import Settings
from tenancy.models import Company
from tests.actors.placed_calls import setup_for, warm_pool
from tests.serve_fixtures import JWT_SECRET, SECRET_KEY

pytestmark = pytest.mark.ray

NAMESPACE = "pool-burst-test"
PER_ACTOR = 4
WARM = 8


@pytest.fixture(scope="module")
def settings(redis_url: str) -> Settings:
    return Settings.model_validate({
        "redis_url": redis_url, "jwt_secret": JWT_SECRET, "clientsvia_secret_key": SECRET_KEY,
        "provider_mode": "doubles", "embedding_model": "hashed-words",
        "calls_per_actor": PER_ACTOR, "warm_pool_size": WARM, "warm_pool_max": 16,
        "max_concurrent_calls": 40, "max_calls_per_company": 40, "actor_max_uses": 100,
    })


@pytest.fixture(scope="module")
def pool(ray_session: None, settings: Settings) -> Iterator[Any]:
    # claim_wait_s 0: a caller who found no free slot would be refused, not kept waiting
    with warm_pool(settings, "pool-burst", NAMESPACE, warm_within_s=120.0, claim_wait_s=0.0,
                   first_claim_wait_s=0.0, reap_interval_s=3600.0) as handle:
        yield handle


async def test_a_burst_of_callers_within_the_warm_slots_never_waits_for_an_actor(
        settings: Settings, redis: aioredis.Redis, pool: Any, atlas: Company) -> None:
    gateway = CallGateway(settings, redis, pool=pool, namespace=NAMESPACE)
    before = await pool.stats.remote()
    assert before.extra["free_slots"] >= WARM

    setups = [setup_for(atlas) for _ in range(WARM)]
    replies = await asyncio.gather(*(gateway.start_call(setup) for setup in setups))

    assert all(isinstance(reply, AgentReply) and reply.utterances for reply in replies), replies
    during = await pool.stats.remote()
    assert during.active == before.active + WARM
    assert during.extra["claims_waited"] == before.extra["claims_waited"]
    assert during.extra["refused"] == before.extra["refused"]
    # the pool grew in the background: more actors started or starting than before
    assert during.created + during.starting > before.created
    for setup in setups:
        await gateway.end_call(atlas.id, setup.call_sid, "completed", 5.0)
    assert (await pool.stats.remote()).active == before.active
