"""Calls placed through the gateway onto real call actors, a real pool and a real Redis.

One pool per module (three warm actors, room for three calls), provider doubles, companies
created with the tenant registry.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import ray
import redis.asyncio as aioredis

from analytics.emitter import CALL_EVENTS_STREAM, PAYLOAD_FIELD
from analytics.events import CallEnded, CallStarted, TransferMade, TurnRecorded, parse_event
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
from tests.call_events import keeping_call_events
from tests.ray_helpers import kill_and_wait
from tests.serve_fixtures import JWT_SECRET, SECRET_KEY, unique_number

pytestmark = pytest.mark.ray

NAMESPACE = "actors-test"
FEE_QUESTION = "How much is your service call fee?"
FEE_ANSWER = "Our service call fee is $89."
FINANCING_ANSWER = "Yes, we offer financing with approved credit."


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
        "warm_pool_size": 3, "max_concurrent_calls": 3, "actor_max_uses": 50,
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


async def test_an_open_question_is_answered_by_the_model_sentence_by_sentence(gateway, atlas):
    setup, _ = await begin(gateway, atlas)
    # nothing in the knowledge tiers is about attic insulation: the model answers
    reply = await gateway.turn(atlas.id, setup.call_sid,
                               "Can your technicians also look at my attic insulation?", 0.9)
    assert not reply.more  # a zero-latency model: the whole answer in one webhook
    spoken = list(reply.utterances)
    while reply.more:  # the "continue" webhook until the answer is complete
        reply = await gateway.resume(atlas.id, setup.call_sid)
        spoken.extend(reply.utterances)
    assert reply.tier == "llm" and reply.action == {"type": "Listen"}
    text = " ".join(utterance.text for utterance in spoken)
    assert text.startswith("Thanks for letting me know about the") and text.endswith("?")
    assert all(utterance.audio_token for utterance in spoken)
    nothing_left = await gateway.resume(atlas.id, setup.call_sid)  # a repeated continue
    assert nothing_left.utterances == () and not nothing_left.more
    await gateway.end_call(atlas.id, setup.call_sid, "completed", 12.0)


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


async def test_calls_beyond_capacity_are_forwarded(gateway, atlas, pool):
    assert await pool.wait_warm.remote(60.0)
    calls = [(await begin(gateway, atlas))[0] for _ in range(3)]
    refused = await gateway.start_call(setup_for(atlas), forward_to=atlas.companyPhone)
    assert isinstance(refused, CallRefused)
    assert refused.reason == "at_capacity" and refused.forward_to == atlas.companyPhone
    stats = await pool.stats.remote()
    assert stats.active == 3 and stats.capacity == 3
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
