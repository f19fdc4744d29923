"""Calls placed through the gateway onto real call actors, a real pool and a real Redis:
a call's life from greeting to hang-up, one call per actor and company at a time.

The calls tests' pool of three warm actors (conftest.py), a pool of its own for the
capacity test, provider doubles, companies created with the tenant registry.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis.asyncio as aioredis

from analytics.events import CallEnded, CallStarted, TurnRecorded
from runtime.actors.call_session import CallNotHeld
from runtime.actors.directory import CallDirectory
from runtime.actors.gateway import CallGateway, UnknownCall
from runtime.actors.messages import CallRefused
from runtime.providers.audio_store import AudioStore
from runtime.settings import Settings
from tests.actors.placed_calls import (
    FEE_ANSWER,
    FEE_QUESTION,
    FINANCING_ANSWER,
    NAMESPACE,
    actor_of,
    begin,
    events_of,
    setup_for,
    warm_pool,
)

pytestmark = [pytest.mark.ray, pytest.mark.usefixtures("call_events_kept")]


async def test_a_caller_asks_a_question_and_hangs_up(gateway, atlas, redis, redis_url,
                                                     registry):
    setup, greeting = await begin(gateway, atlas)
    assert greeting.tier == "greeting" and greeting.action == {"type": "Listen"}
    assert not greeting.more and greeting.utterances
    audio = AudioStore(aioredis.Redis.from_url(redis_url))
    for utterance in greeting.utterances:  # the company has a voice: every sentence is audio
        assert utterance.audio_token and (await audio.get(utterance.audio_token))[:4] == b"RIFF"

    answer = await gateway.turn(atlas.id, setup.call_sid, FEE_QUESTION, 0.93)
    assert answer.tier == "knowledge" and not answer.more
    assert " ".join(u.text for u in answer.utterances) == FEE_ANSWER
    await gateway.end_call(atlas.id, setup.call_sid, "completed", 42.0)

    events = await events_of(redis, setup.call_sid)
    assert [type(event) for event in events] == [CallStarted, TurnRecorded, TurnRecorded,
                                                 CallEnded]
    assert {event.company_id for event in events} == {atlas.id}
    assert [event.tier for event in events if isinstance(event, TurnRecorded)] == [
        "greeting", "knowledge"]
    ended = events[-1]
    assert ended.outcome == "answered_knowledge" and ended.turn_count == 1
    assert ended.duration_s == 42.0
    assert await registry.tenant(atlas.id).load_checkpoint(setup.call_sid) is None
    with pytest.raises(UnknownCall):  # a second status callback finds no call
        await gateway.end_call(atlas.id, setup.call_sid, "completed", 42.0)


async def test_without_a_voice_the_agent_speaks_with_say(gateway, bayside):
    setup, greeting = await begin(gateway, bayside)
    assert greeting.utterances and all(u.audio_token is None for u in greeting.utterances)
    await gateway.end_call(bayside.id, setup.call_sid, "completed", 3.0)


async def test_a_recycled_actor_carries_nothing_into_the_next_call(gateway, atlas, bayside,
                                                                   redis):
    first, _ = await begin(gateway, atlas)
    await gateway.turn(atlas.id, first.call_sid, FEE_QUESTION, 0.9)
    _, actor = await actor_of(redis, first.call_sid)
    atlas_ids = (await actor.describe.remote())["call"]["knowledge_ids"]
    await gateway.end_call(atlas.id, first.call_sid, "completed", 20.0)
    assert (await actor.describe.remote())["call"] is None

    # The same actor, straight away, takes a call for another company.
    second = setup_for(bayside)
    await actor.begin.remote(second)
    answer = await actor.turn.remote(second.call_sid, "Do you offer financing?", 0.9)
    assert answer.tier == "knowledge"
    held = (await actor.describe.remote())["call"]
    assert held["company_id"] == bayside.id and held["call_sid"] == second.call_sid
    assert not set(held["knowledge_ids"]) & set(atlas_ids)
    said = " ".join(text for _, text in held["history"])
    assert "service call" not in said and "Atlas" not in said and FINANCING_ANSWER in said
    await actor.end.remote(second.call_sid, "completed", 5.0)
    assert (await actor.describe.remote())["call"] is None


async def test_an_actor_answers_only_for_the_call_it_holds(gateway, atlas, bayside, redis):
    setup, _ = await begin(gateway, atlas)
    _, actor = await actor_of(redis, setup.call_sid)
    with pytest.raises(CallNotHeld):
        await actor.turn.remote("CA" + uuid.uuid4().hex, "hello", 0.9)
    with pytest.raises(UnknownCall):  # another company's webhook cannot reach this call
        await gateway.turn(bayside.id, setup.call_sid, FEE_QUESTION, 0.9)
    with pytest.raises(UnknownCall):
        await gateway.turn(atlas.id, "CA" + uuid.uuid4().hex, FEE_QUESTION, 0.9)
    assert (await actor.describe.remote())["call"]["turn_count"] == 0
    await gateway.end_call(atlas.id, setup.call_sid, "completed", 4.0)


@pytest.fixture
def small_gateway(settings: Settings, redis: aioredis.Redis) -> Iterator[tuple[CallGateway, Any]]:
    """A pool of its own with room for two calls: no other test's calls use its slots."""
    small = settings.model_copy(update={"warm_pool_size": 2, "max_concurrent_calls": 2})
    name = f"capacity-{uuid.uuid4().hex[:8]}"
    with warm_pool(small, name, actor_prefix=name, reap_interval_s=3600.0,
                   idle_call_timeout_s=600.0) as handle:
        yield CallGateway(small, redis, pool=handle, namespace=NAMESPACE), handle


async def test_calls_beyond_capacity_are_forwarded(small_gateway, atlas):
    gateway, pool = small_gateway
    calls = [(await begin(gateway, atlas))[0] for _ in range(2)]
    refused = await gateway.start_call(setup_for(atlas), forward_to=atlas.companyPhone)
    assert isinstance(refused, CallRefused)
    assert refused.reason == "at_capacity" and refused.forward_to == atlas.companyPhone
    stats = await pool.stats.remote()
    assert stats.active == 2 and stats.capacity == 2
    for setup in calls:
        await gateway.end_call(atlas.id, setup.call_sid, "completed", 1.0)
    assert (await pool.stats.remote()).active == 0


async def test_a_call_twilio_never_closed_is_reaped(gateway, atlas, redis, pool):
    setup, _ = await begin(gateway, atlas)
    name, actor = await actor_of(redis, setup.call_sid)
    long_ago = CallDirectory(redis, clock=lambda: 1_000_000.0)  # last webhook in 1970
    await long_ago.register(setup.call_sid, atlas.id, name)
    fresh, _ = await begin(gateway, atlas)

    assert await pool.reap_now.remote() == 1
    assert (await actor.describe.remote())["call"] is None
    assert await CallDirectory(redis).lookup(setup.call_sid) is None
    ended = [e for e in await events_of(redis, setup.call_sid) if isinstance(e, CallEnded)]
    assert [e.outcome for e in ended] == ["abandoned"]
    with pytest.raises(UnknownCall):
        await gateway.turn(atlas.id, setup.call_sid, FEE_QUESTION, 0.9)
    await gateway.end_call(atlas.id, fresh.call_sid, "completed", 1.0)  # the other call lived
