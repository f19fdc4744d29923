"""Fixtures of the tests of calls on real actors (test_actors_calls*.py).

One pool of three warm actors, one call each, shared by those modules (its actors take
seconds to start): `settings`, `pool` and `gateway` live as long as the package's tests;
a module with a pool of its own defines these names again. The companies are made per
module. Helpers: `tests.actors.placed_calls`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import redis.asyncio as aioredis

from runtime.actors.gateway import CallGateway
from runtime.settings import Settings
from tenancy.models import Company
from tenancy.registry import CompanyRegistry
from tenancy.secrets import SecretBox
from tests.actors.placed_calls import (
    FEE_ANSWER,
    FINANCING_ANSWER,
    NAMESPACE,
    new_company,
    warm_pool,
)
from tests.call_events import keeping_call_events
from tests.serve_fixtures import JWT_SECRET, SECRET_KEY


@pytest.fixture(scope="module")
def call_events_kept(redis_url: str) -> Iterator[None]:
    with keeping_call_events(redis_url):  # `events_of` reads them; a LogSink may trim
        yield


@pytest.fixture(scope="package")
def settings(redis_url: str) -> Settings:
    return Settings.model_validate({
        # the session's secrets: Ray processes read them from their environment
        "redis_url": redis_url, "jwt_secret": JWT_SECRET,
        "clientsvia_secret_key": SECRET_KEY, "provider_mode": "doubles",
        # one call per actor: recycling and takeover are checked actor by actor here
        # (tests/actors/test_actors_shared_actor.py covers several calls per actor)
        "calls_per_actor": 1, "warm_pool_size": 3, "max_concurrent_calls": 3,
        "actor_max_uses": 50,
    })


@pytest.fixture(scope="package")
def pool(ray_session: None, settings: Settings) -> Iterator[Any]:
    with warm_pool(settings, "actors-test-pool", reap_interval_s=3600.0,
                   idle_call_timeout_s=600.0) as handle:
        yield handle


@pytest.fixture(scope="package")
async def redis(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(redis_url, decode_responses=True)
    yield client
    await client.aclose()


@pytest.fixture(scope="package")
def gateway(settings: Settings, redis: aioredis.Redis, pool: Any) -> CallGateway:
    return CallGateway(settings, redis, pool=pool, namespace=NAMESPACE)


@pytest.fixture(scope="package")
def registry(redis: aioredis.Redis) -> CompanyRegistry:
    return CompanyRegistry(redis, SecretBox(SECRET_KEY))


@pytest.fixture(scope="module")
async def atlas(registry: CompanyRegistry) -> Company:
    return await new_company(registry, "Atlas Air", (
        "How much do you charge for a service call?", FEE_ANSWER,
        ["price", "cost", "service call fee", "trip charge"],
    ))


@pytest.fixture(scope="module")
async def bayside(registry: CompanyRegistry) -> Company:
    return await new_company(registry, "Bayside Heating", (
        "Do you offer financing?", FINANCING_ANSWER, ["financing", "payment plan"],
    ), voice=False)
