"""Several calls on one call actor (`calls_per_actor` > 1), through a real pool and Redis.

The pool keeps one free slot warm and no more (`warm_pool_max` 1: no growth ahead of
demand), so the first calls all land on the same actor (a claim only starts another actor
once the free slots fall below the warm size).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import ray
import redis.asyncio as aioredis

from runtime.actors.call_session import ActorBusy, snapshot_checkpoint_name
from runtime.actors.directory import CallDirectory
from runtime.actors.gateway import CallGateway
from runtime.actors.messages import CallRefused
from runtime.settings import Settings
from tenancy.models import Company
from tenancy.registry import CompanyRegistry
from tests.actors.placed_calls import (
    FEE_ANSWER,
    FEE_QUESTION,
    FINANCING_ANSWER,
    begin,
    setup_for,
    warm_pool,
)
from tests.ray_helpers import kill_and_wait
from tests.serve_fixtures import JWT_SECRET, SECRET_KEY

pytestmark = pytest.mark.ray

NAMESPACE = "actors-shared-test"
SLOTS = 3


@pytest.fixture(scope="module")
def settings(redis_url: str) -> Settings:
    return Settings.model_validate({
        # the session's secrets: Ray processes read them from their environment
        "redis_url": redis_url, "jwt_secret": JWT_SECRET,
        "clientsvia_secret_key": SECRET_KEY,
        "provider_mode": "doubles", "calls_per_actor": SLOTS,
        # one free slot, never more (no growth ahead of demand): calls share the first actor
        "warm_pool_size": 1, "warm_pool_max": 1, "max_concurrent_calls": SLOTS,
        "actor_max_uses": 50,
    })


@pytest.fixture(scope="module")
def pool(ray_session: None, settings: Settings) -> Iterator[Any]:
    with warm_pool(settings, "actors-shared-pool", NAMESPACE, reap_interval_s=3600.0,
                   idle_call_timeout_s=600.0, replace_wait_s=60.0) as handle:
        yield handle


@pytest.fixture(scope="module")
def gateway(settings: Settings, redis: aioredis.Redis, pool: Any) -> CallGateway:
    return CallGateway(settings, redis, pool=pool, namespace=NAMESPACE)


async def actor_name_of(redis: aioredis.Redis, call_sid: str) -> str:
    entry = await CallDirectory(redis).lookup(call_sid)
    assert entry is not None
    return entry.actor_name


async def shared_actor_of(redis: aioredis.Redis, *call_sids: str) -> Any:
    """The one actor all these calls are on."""
    names = {await actor_name_of(redis, call_sid) for call_sid in call_sids}
    assert len(names) == 1, names
    return ray.get_actor(names.pop(), namespace=NAMESPACE)


async def test_ending_one_call_leaves_the_other_call_on_the_actor_intact(
        gateway: CallGateway, atlas: Company, bayside: Company,
        redis: aioredis.Redis, registry: CompanyRegistry, pool: Any):
    first, _ = await begin(gateway, atlas)
    second, _ = await begin(gateway, bayside)
    actor = await shared_actor_of(redis, first.call_sid, second.call_sid)
    assert (await gateway.turn(atlas.id, first.call_sid, FEE_QUESTION, 0.9)).tier == "knowledge"
    await gateway.turn(bayside.id, second.call_sid, "Do you offer financing?", 0.9)
    described = await actor.describe.remote()
    assert sorted(described["calls"]) == sorted([first.call_sid, second.call_sid])
    before = await actor.describe_call.remote(second.call_sid)
    retired = (await pool.stats.remote()).retired

    await gateway.end_call(atlas.id, first.call_sid, "completed", 10.0)
    assert (await actor.describe.remote())["calls"] == [second.call_sid]
    assert await actor.describe_call.remote(first.call_sid) is None
    atlas_store, bayside_store = registry.tenant(atlas.id), registry.tenant(bayside.id)
    for name in (first.call_sid, snapshot_checkpoint_name(first.call_sid)):
        assert await atlas_store.load_checkpoint(name) is None
    assert await actor.describe_call.remote(second.call_sid) == before
    assert await bayside_store.load_checkpoint(second.call_sid) is not None

    answer = await gateway.turn(bayside.id, second.call_sid, "Do you offer financing?", 0.9)
    assert " ".join(u.text for u in answer.utterances) == FINANCING_ANSWER
    held = await actor.describe_call.remote(second.call_sid)
    said = " ".join(text for _, text in held["history"])
    assert FEE_ANSWER not in said and "Atlas" not in said and held["turn_count"] == 2
    await gateway.end_call(bayside.id, second.call_sid, "completed", 12.0)
    assert (await actor.describe.remote())["calls"] == []
    stats = await pool.stats.remote()
    # each end reported the calls left on the actor: clean, so it stays for the next calls
    assert stats.active == 0 and stats.retired == retired


async def test_a_full_actor_refuses_another_call_and_the_pool_is_at_capacity(
        gateway: CallGateway, atlas: Company, redis: aioredis.Redis, pool: Any):
    assert await pool.wait_warm.remote(60.0)
    calls = [(await begin(gateway, atlas))[0] for _ in range(SLOTS)]
    actor = await shared_actor_of(redis, *(setup.call_sid for setup in calls))
    with pytest.raises(ActorBusy):
        await actor.begin.remote(setup_for(atlas))
    refused = await gateway.start_call(setup_for(atlas), forward_to=atlas.companyPhone)
    assert isinstance(refused, CallRefused) and refused.reason == "at_capacity"
    for setup in calls:
        await gateway.end_call(atlas.id, setup.call_sid, "completed", 1.0)
    stats = await pool.stats.remote()
    assert stats.active == 0 and stats.extra["free_slots"] >= SLOTS


async def test_the_snapshot_is_checkpointed_once_and_a_dead_actors_calls_restore_together(
        gateway: CallGateway, atlas: Company, redis: aioredis.Redis,
        registry: CompanyRegistry):
    first, _ = await begin(gateway, atlas)
    second, _ = await begin(gateway, atlas)
    actor = await shared_actor_of(redis, first.call_sid, second.call_sid)
    store = registry.tenant(atlas.id)
    turn_part = await store.load_checkpoint(first.call_sid)
    assert turn_part is not None and "snapshot" not in turn_part
    snapshot_key = snapshot_checkpoint_name(second.call_sid)
    assert (await store.load_checkpoint(snapshot_key) or {}).get("snapshot")
    snapshot_part = await store.load_checkpoint(snapshot_key)
    await store.delete_checkpoint(snapshot_key)
    await gateway.turn(atlas.id, second.call_sid, FEE_QUESTION, 0.9)
    assert await store.load_checkpoint(snapshot_key) is None  # not written again per turn
    assert snapshot_part is not None
    await store.save_checkpoint(snapshot_key, snapshot_part)

    await kill_and_wait(actor)
    for setup in (first, second):
        answer = await gateway.turn(atlas.id, setup.call_sid, FEE_QUESTION, 0.9)
        assert " ".join(u.text for u in answer.utterances) == FEE_ANSWER
    successor = await shared_actor_of(redis, first.call_sid, second.call_sid)
    assert sorted((await successor.describe.remote())["calls"]) == sorted(
        [first.call_sid, second.call_sid])
    restored = await successor.describe_call.remote(second.call_sid)
    assert restored["restored"] and restored["turn_count"] == 2
    for setup in (first, second):
        await gateway.end_call(atlas.id, setup.call_sid, "completed", 3.0)


async def test_a_stale_call_is_reaped_without_touching_its_neighbour(
        gateway: CallGateway, atlas: Company, redis: aioredis.Redis, pool: Any):
    stale, _ = await begin(gateway, atlas)
    fresh, _ = await begin(gateway, atlas)
    actor = await shared_actor_of(redis, stale.call_sid, fresh.call_sid)
    name = await actor_name_of(redis, stale.call_sid)
    await CallDirectory(redis, clock=lambda: 1_000_000.0).register(stale.call_sid, atlas.id, name)
    assert await pool.reap_now.remote() == 1
    assert (await actor.describe.remote())["calls"] == [fresh.call_sid]
    answer = await gateway.turn(atlas.id, fresh.call_sid, FEE_QUESTION, 0.9)
    assert answer.tier == "knowledge"
    await gateway.end_call(atlas.id, fresh.call_sid, "completed", 1.0)
