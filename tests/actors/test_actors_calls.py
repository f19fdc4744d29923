"""Calls placed through the gateway onto real call actors, a real pool and a real Redis.

A pool shared by the module's calls (three warm actors), a pool of its own for the
capacity test, provider doubles, companies created with the tenant registry. Where a test
needs an answer written slowly, `tests.gated_model` holds the actor's model at fixed
points, so "an answer over several webhooks" and "killed mid-answer" are not races.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import ray
import redis.asyncio as aioredis
from ray.exceptions import RayActorError

from analytics.emitter import CALL_EVENTS_STREAM, PAYLOAD_FIELD
from analytics.events import CallEnded, CallStarted, TransferMade, TurnRecorded, parse_event
from runtime.actors.call_actor import SAY_AGAIN
from runtime.actors.call_session import CallNotHeld
from runtime.actors.directory import CallDirectory
from runtime.actors.gateway import CallGateway, UnknownCall
from runtime.actors.messages import AgentReply, CallRefused, CallSetup
from runtime.actors.pool import PoolConfig, ensure_pool
from runtime.providers.audio_store import AudioStore
from runtime.settings import Settings
from tenancy.models import Company, CompanyProfile, EmployeeFields, QnAFields
from tenancy.models.company import WEEKDAYS
from tenancy.registry import CompanyRegistry
from tenancy.secrets import SecretBox
from tests import gated_model
from tests.call_events import keeping_call_events
from tests.ray_helpers import kill_and_wait
from tests.serve_fixtures import JWT_SECRET, SECRET_KEY, unique_number

pytestmark = pytest.mark.ray

NAMESPACE = "actors-test"
FEE_QUESTION = "How much is your service call fee?"
FEE_ANSWER = "Our service call fee is $89."
FINANCING_ANSWER = "Yes, we offer financing with approved credit."
OPEN_QUESTION = "Can your technicians also look at my attic insulation?"
OPEN_ANSWER = [  # what the scripted model double says to OPEN_QUESTION, sentence by sentence
    "Thanks for letting me know about the technicians also look attic insulation.",
    "We can certainly help with that.",
    "Would you like me to book a technician to take a look?",
]


@pytest.fixture(scope="module", autouse=True)
def _call_events_kept(redis_url: str) -> Iterator[None]:
    with keeping_call_events(redis_url):  # `events_of` reads them; a LogSink may trim
        yield


@pytest.fixture(scope="module")
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


@pytest.fixture(scope="module")
def pool(ray_session: None, settings: Settings) -> Iterator[Any]:
    config = PoolConfig.from_settings(settings, namespace=NAMESPACE, reap_interval_s=3600.0,
                                      idle_call_timeout_s=600.0)
    handle = ensure_pool(settings, config=config, name="actors-test-pool", detached=False)
    assert ray.get(handle.wait_warm.remote(60.0))
    yield handle
    ray.get(handle.shutdown.remote())
    ray.kill(handle)


@pytest.fixture(scope="module")
async def redis(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(redis_url, decode_responses=True)
    yield client
    await client.aclose()


@pytest.fixture(scope="module")
def gateway(settings: Settings, redis: aioredis.Redis, pool: Any) -> CallGateway:
    return CallGateway(settings, redis, pool=pool, namespace=NAMESPACE)


@pytest.fixture(scope="module")
def registry(redis: aioredis.Redis) -> CompanyRegistry:
    return CompanyRegistry(redis, SecretBox(SECRET_KEY))


async def new_company(
    registry: CompanyRegistry, name: str, qna: tuple[str, str, list[str]], *, voice: bool = True
) -> Company:
    company = await registry.create(CompanyProfile.model_validate({
        "companyName": name, "companyPhone": unique_number(), "tradeCategories": ["HVAC"],
        "twilioConfig": {"phoneNumbers": [{"phoneNumber": unique_number(), "isPrimary": True}]},
        "aiSettings": {"elevenLabs": {"voiceId": "SyntheticAvery01"}} if voice else {},
        # open around the clock: what the calls do must not depend on when the tests run
        "agentSetup": {"operatingHours": [{"day": day, "start": "00:00", "end": "24:00"}
                                          for day in WEEKDAYS]},
    }))
    store = registry.tenant(company.id)
    question, answer, keywords = qna
    await store.knowledge.add(QnAFields(question=question, answer=answer, keywords=keywords))
    await store.employees.add(EmployeeFields(name="Sam Rivera", phone=unique_number(),
                                             isOnCall=True))
    return company


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


def setup_for(company: Company) -> CallSetup:
    return CallSetup(company_id=company.id, call_sid="CA" + uuid.uuid4().hex,
                     caller_number=unique_number(), called_number=company.phone_numbers()[0])


async def begin(gateway: CallGateway, company: Company) -> tuple[CallSetup, AgentReply]:
    setup = setup_for(company)
    reply = await gateway.start_call(setup, forward_to=company.companyPhone)
    assert isinstance(reply, AgentReply), reply
    return setup, reply


async def actor_of(redis: aioredis.Redis, call_sid: str) -> tuple[str, Any]:
    entry = await CallDirectory(redis).lookup(call_sid)
    assert entry is not None
    return entry.actor_name, ray.get_actor(entry.actor_name, namespace=NAMESPACE)


async def events_of(redis: aioredis.Redis, call_sid: str) -> list[Any]:
    entries = await redis.xrange(CALL_EVENTS_STREAM) or []
    events = [parse_event(str((fields or {})[PAYLOAD_FIELD])) for _, fields in entries]
    return [event for event in events if event.call_sid == call_sid]


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


@pytest.fixture
async def gated(gateway, atlas, redis, tmp_path) -> AsyncIterator[tuple[CallSetup, Any, Path]]:
    """A call whose actor's model writes its answers only as far as the test opens gates."""
    setup, _ = await begin(gateway, atlas)
    _, actor = await actor_of(redis, setup.call_sid)
    assert await actor.__ray_call__.remote(gated_model.install, str(tmp_path))
    yield setup, actor, tmp_path
    with contextlib.suppress(RayActorError):  # killed by the test: nothing to put back
        await actor.__ray_call__.remote(gated_model.uninstall)
    with contextlib.suppress(UnknownCall):
        await gateway.end_call(atlas.id, setup.call_sid, "completed", 12.0)


def texts(reply: AgentReply) -> list[str]:
    return [utterance.text for utterance in reply.utterances]


async def rest_of_answer(gateway: CallGateway, company: Company, reply: AgentReply
                         ) -> tuple[list[str], AgentReply]:
    """Follow "continue" webhooks until the answer is complete, as Twilio's <Redirect> does."""
    spoken = texts(reply)
    while reply.more:
        reply = await gateway.resume(company.id, reply.call_sid)
        spoken.extend(texts(reply))
    return spoken, reply


async def test_an_answer_written_slowly_is_spoken_over_several_webhooks(gateway, atlas, gated):
    setup, _, gates = gated
    gated_model.open_gate(gates, 0)
    first = await gateway.turn(atlas.id, setup.call_sid, OPEN_QUESTION, 0.9)
    assert texts(first) == OPEN_ANSWER[:1] and first.more and first.tier == ""
    gated_model.open_gate(gates, 1)
    second = await gateway.resume(atlas.id, setup.call_sid)
    assert texts(second) == OPEN_ANSWER[1:2] and second.more
    gated_model.open_gate(gates, 2)
    rest, last = await rest_of_answer(gateway, atlas, second)
    assert rest[1:] == OPEN_ANSWER[2:]
    assert last.tier == "llm" and last.action == {"type": "Listen"} and not last.more
    assert all(u.audio_token for u in (*first.utterances, *second.utterances, *last.utterances))
    nothing_left = await gateway.resume(atlas.id, setup.call_sid)  # a repeated continue
    assert nothing_left.utterances == () and not nothing_left.more


async def test_an_actor_killed_with_a_webhook_in_flight_is_replaced_and_answers_it(
        gateway, atlas, redis, gated):
    setup, actor, gates = gated
    await gateway.turn(atlas.id, setup.call_sid, FEE_QUESTION, 0.9)  # checkpointed
    dead_name, _ = await actor_of(redis, setup.call_sid)
    in_flight = asyncio.create_task(gateway.turn(atlas.id, setup.call_sid, OPEN_QUESTION, 0.9))
    await gated_model.wait_until_asked(gates)
    await kill_and_wait(actor)

    spoken, last = await rest_of_answer(gateway, atlas, await in_flight)
    assert " ".join(spoken) == " ".join(OPEN_ANSWER) and last.tier == "llm"
    new_name, replacement = await actor_of(redis, setup.call_sid)
    assert new_name != dead_name
    held = await replacement.describe_call.remote(setup.call_sid)
    assert held["restored"] and held["turn_count"] == 2
    assert [text for role, text in held["history"] if role == "caller"] == [
        FEE_QUESTION, OPEN_QUESTION]
    await gateway.end_call(atlas.id, setup.call_sid, "completed", 12.0)
    turns = [e for e in await events_of(redis, setup.call_sid) if isinstance(e, TurnRecorded)]
    assert [(t.turn_index, t.tier) for t in turns] == [(0, "greeting"), (1, "knowledge"),
                                                       (2, "llm")]


async def test_an_actor_killed_with_an_answer_half_sent_asks_the_caller_again(
        gateway, atlas, redis, gated):
    setup, actor, gates = gated
    gated_model.open_gate(gates, 0)
    first = await gateway.turn(atlas.id, setup.call_sid, OPEN_QUESTION, 0.9)
    assert texts(first) == OPEN_ANSWER[:1] and first.more
    dead_name, _ = await actor_of(redis, setup.call_sid)
    await kill_and_wait(actor)

    resumed = await gateway.resume(atlas.id, setup.call_sid)  # Twilio follows the <Redirect>
    assert texts(resumed) == [SAY_AGAIN] and not resumed.more
    new_name, replacement = await actor_of(redis, setup.call_sid)
    assert new_name != dead_name
    spoken, _ = await rest_of_answer(
        gateway, atlas, await gateway.turn(atlas.id, setup.call_sid, OPEN_QUESTION, 0.9))
    assert " ".join(spoken) == " ".join(OPEN_ANSWER)
    held = await replacement.describe_call.remote(setup.call_sid)
    assert held["restored"] and held["turn_count"] == 1
    assert [text for role, text in held["history"] if role == "caller"] == [OPEN_QUESTION]
    await gateway.end_call(atlas.id, setup.call_sid, "completed", 12.0)
    turns = [e for e in await events_of(redis, setup.call_sid) if isinstance(e, TurnRecorded)]
    assert [(t.turn_index, t.tier) for t in turns] == [(0, "greeting"), (1, "llm")]


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


async def test_a_dead_actor_is_replaced_and_the_call_goes_on(gateway, atlas, redis, pool):
    setup, _ = await begin(gateway, atlas)
    await gateway.turn(atlas.id, setup.call_sid, FEE_QUESTION, 0.9)
    dead_name, dead = await actor_of(redis, setup.call_sid)
    await kill_and_wait(dead)

    answer = await gateway.turn(atlas.id, setup.call_sid, "Can I talk to a person?", 0.9)
    assert answer.action["type"] == "Transfer"
    new_name, actor = await actor_of(redis, setup.call_sid)
    assert new_name != dead_name
    held = (await actor.describe.remote())["call"]
    assert held["restored"] and held["turn_count"] == 2
    callers = [text for role, text in held["history"] if role == "caller"]
    assert callers == [FEE_QUESTION, "Can I talk to a person?"]
    await gateway.end_call(atlas.id, setup.call_sid, "completed", 30.0)

    events = await events_of(redis, setup.call_sid)
    turns = [event.turn_index for event in events if isinstance(event, TurnRecorded)]
    assert turns == [0, 1, 2]  # numbering continued across the replacement
    assert any(isinstance(event, TransferMade) for event in events)
    assert events[-1].outcome == "transferred"
    assert (await pool.stats.remote()).extra["replaced"] >= 1


@pytest.fixture
def small_gateway(settings: Settings, redis: aioredis.Redis) -> Iterator[tuple[CallGateway, Any]]:
    """A pool of its own with room for two calls: no other test's calls use its slots."""
    small = settings.model_copy(update={"warm_pool_size": 2, "max_concurrent_calls": 2})
    name = f"capacity-{uuid.uuid4().hex[:8]}"
    config = PoolConfig.from_settings(small, namespace=NAMESPACE, actor_prefix=name,
                                      reap_interval_s=3600.0, idle_call_timeout_s=600.0)
    handle = ensure_pool(small, config=config, name=name, detached=False)
    assert ray.get(handle.wait_warm.remote(60.0))
    yield CallGateway(small, redis, pool=handle, namespace=NAMESPACE), handle
    ray.get(handle.shutdown.remote())
    ray.kill(handle)


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


@pytest.mark.parametrize("next_webhook", ["turn", "status"])
async def test_a_takeover_made_by_another_replica_is_followed_not_repeated(
        gateway, settings, redis, pool, atlas, next_webhook):
    other_replica = CallGateway(settings, redis, pool=pool, namespace=NAMESPACE)
    setup, _ = await begin(gateway, atlas)
    await gateway.turn(atlas.id, setup.call_sid, FEE_QUESTION, 0.9)  # remembers the actor
    _, dead = await actor_of(redis, setup.call_sid)
    await kill_and_wait(dead)
    await other_replica.turn(atlas.id, setup.call_sid, "Do you offer financing?", 0.9)
    taken_over_by, actor = await actor_of(redis, setup.call_sid)
    replaced = (await pool.stats.remote()).extra["replaced"]

    if next_webhook == "status":  # this replica's memory names the dead actor
        await gateway.end_call(atlas.id, setup.call_sid, "completed", 30.0)
        assert (await actor.describe.remote())["call"] is None  # ended where it was
        ended = [e for e in await events_of(redis, setup.call_sid) if isinstance(e, CallEnded)]
        assert [e.turn_count for e in ended] == [2]
        assert (await pool.stats.remote()).extra["replaced"] == replaced
        return
    await gateway.turn(atlas.id, setup.call_sid, "Can I talk to a person?", 0.9)
    name, actor = await actor_of(redis, setup.call_sid)
    assert name == taken_over_by  # this replica found the call where the other put it
    assert (await pool.stats.remote()).extra["replaced"] == replaced
    assert (await actor.describe.remote())["call"]["turn_count"] == 3
    await gateway.end_call(atlas.id, setup.call_sid, "completed", 30.0)
