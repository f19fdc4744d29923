"""A turn's checkpoint travels with its events (one round trip), and is still written on
its own, with the events kept in it, when the stream refuses them.

A call actor in this process (provider doubles, the fixtures of the drafted-summary
tests) against the test Redis; the stream's ceiling is lowered under the emitter to make
it refuse.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import redis.asyncio as aioredis

from analytics.events import TurnRecorded, parse_event
from runtime.actors.call_session import snapshot_checkpoint_name
from runtime.actors.messages import CallSetup
from runtime.providers.audio_store import AudioStore
from tenancy.models import Company
from tenancy.registry import CompanyRegistry
from tenancy.secrets import SecretBox
from tests.actors.placed_calls import FEE_ANSWER, FEE_QUESTION, events_of
from tests.actors.test_drafted_summary import actor, company, redis  # noqa: F401
from tests.serve_fixtures import SECRET_KEY, unique_number


@pytest.fixture
async def registry(redis: aioredis.Redis) -> CompanyRegistry:  # noqa: F811
    return CompanyRegistry(redis, SecretBox(SECRET_KEY))


async def started_call(actor: Any, company: Company) -> str:  # noqa: F811
    setup = CallSetup(company_id=company.id, call_sid="CA" + uuid.uuid4().hex,
                      caller_number=unique_number(), called_number=company.phone_numbers()[0])
    await actor.begin(setup)
    return setup.call_sid


async def test_the_checkpoint_holds_the_turn_its_events_went_out_with(
        actor, company, registry, redis) -> None:  # noqa: F811
    call_sid = await started_call(actor, company)

    answer = await actor.turn(call_sid, FEE_QUESTION, 0.93, "key-1")

    assert answer.tier == "knowledge"
    saved = await registry.tenant(company.id).load_checkpoint(call_sid)
    assert saved["state"]["turn_count"] == 1 and saved["last"]["request_key"] == "key-1"
    assert saved["last"]["text"] == FEE_ANSWER
    assert saved["record"]["next_turn"] == 2 and saved["record"]["unsent"] == []
    turns = [e for e in await events_of(redis, call_sid) if isinstance(e, TurnRecorded)]
    assert [e.turn_index for e in turns] == [0, 1]  # the greeting, the answer


async def test_refused_events_are_kept_in_a_checkpoint_written_on_its_own(
        actor, company, registry, redis) -> None:  # noqa: F811
    call_sid = await started_call(actor, company)
    emitter = actor._recorder._emitter
    ceiling = emitter._max_backlog
    emitter._max_backlog = 0  # the stream refuses every event (its sink far behind)

    await actor.turn(call_sid, FEE_QUESTION, 0.93, "key-1")

    saved = await registry.tenant(company.id).load_checkpoint(call_sid)
    assert saved["state"]["turn_count"] == 1 and saved["last"]["request_key"] == "key-1"
    kept = [parse_event(payload) for payload in saved["record"]["unsent"]]
    assert [(type(e), e.turn_index) for e in kept] == [(TurnRecorded, 1)]
    turns = [e for e in await events_of(redis, call_sid) if isinstance(e, TurnRecorded)]
    assert [e.turn_index for e in turns] == [0]  # the greeting only

    emitter._max_backlog = ceiling  # drained again: the next turn sends both, in order
    await actor.turn(call_sid, FEE_QUESTION, 0.93, "key-2")
    saved = await registry.tenant(company.id).load_checkpoint(call_sid)
    assert saved["record"]["unsent"] == [] and saved["last"]["request_key"] == "key-2"
    turns = [e for e in await events_of(redis, call_sid) if isinstance(e, TurnRecorded)]
    assert [e.turn_index for e in turns] == [0, 1, 2]


async def test_the_greeting_saves_both_checkpoints_with_its_events_or_on_its_own(
        actor, company, registry, redis) -> None:  # noqa: F811
    """The snapshot's checkpoint goes with the greeting's events the first time; refused,
    both are written on their own, the greeting's events kept in the per-turn one."""
    store = registry.tenant(company.id)
    for refused in (False, True):
        emitter = actor._recorder._emitter
        ceiling = emitter._max_backlog
        emitter._max_backlog = 0 if refused else ceiling
        try:
            call_sid = await started_call(actor, company)
        finally:
            emitter._max_backlog = ceiling
        saved = await store.load_checkpoint(call_sid)
        snapshot = await store.load_checkpoint(snapshot_checkpoint_name(call_sid))
        assert snapshot is not None and snapshot["snapshot"]["company_id"] == company.id
        assert saved["last"]["request_key"] == "incoming" and saved["state"]["turn_count"] == 0
        assert len(saved["record"]["unsent"]) == (2 if refused else 0)  # started, greeting
        assert actor._sessions[call_sid].snapshot_saved


async def test_a_replys_audio_is_stored_whether_or_not_the_stream_takes_its_events(
        actor, company, redis_url) -> None:  # noqa: F811
    """An answer said in one reply stores its audio in its events' round trip; when the
    stream refuses them, on its own: either way every `<Play>` of the reply can be fetched."""
    audio_redis = aioredis.Redis.from_url(redis_url, decode_responses=False)
    audio = AudioStore(audio_redis)
    emitter = actor._recorder._emitter
    ceiling = emitter._max_backlog
    store = actor._speech._audio
    put, alone = store.put, []

    async def counted_put(wav: bytes, owner: str | None = None) -> str:
        alone.append(wav)
        return await put(wav, owner)

    store.put = counted_put
    try:
        for refused in (False, True):
            call_sid = await started_call(actor, company)
            emitter._max_backlog = 0 if refused else ceiling
            alone.clear()
            answer = await actor.turn(call_sid, FEE_QUESTION, 0.93, f"key-{refused}")
            emitter._max_backlog = ceiling
            assert answer.tier == "knowledge" and answer.utterances
            assert bool(alone) == refused  # stored on its own only when refused
            for utterance in answer.utterances:
                assert utterance.audio_token is not None
                assert (await audio.get(utterance.audio_token) or b"")[:4] == b"RIFF"
    finally:
        emitter._max_backlog = ceiling
        store.put = put
        await audio_redis.aclose()
