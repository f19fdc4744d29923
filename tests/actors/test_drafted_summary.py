"""A drafted call summary never holds a call's end up, and never costs the call log.

A call actor (in this process, provider doubles) ends a call while its drafting model is
held at a gate: the end event, with the extractive summary, is already on the stream and
in the call log. Released, the draft follows as its own event and the call-log reads show
it; never released (the actor dying mid-draft, here its task cancelled), the call stays
logged with the extractive summary.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
import redis.asyncio as aioredis

from analytics.drain import CallLogDrain
from analytics.emitter import CALL_EVENTS_STREAM
from analytics.events import CallEnded, CallSummarized
from analytics.repository import CallLogRepository
from runtime.actors import call_summary
from runtime.actors.call_actor import CallActor
from runtime.actors.messages import CallSetup
from runtime.providers.base import LlmRequest, TextDelta
from runtime.providers.drafting import draft_text
from runtime.settings import Settings
from tenancy.models import Company
from tenancy.registry import CompanyRegistry
from tenancy.secrets import SecretBox
from tests.actors.placed_calls import FEE_ANSWER, FEE_QUESTION, events_of, new_company
from tests.serve_fixtures import JWT_SECRET, SECRET_KEY, unique_number

DRAFT = "A caller asked what a service call costs and was told the fee; nothing to follow up."
CEILING_S = 60.0  # waiting ceilings, not timing assertions


class GatedDrafter:
    """A drafting model that writes `DRAFT` only once the test opens its gate."""

    def __init__(self) -> None:
        self.asked = asyncio.Event()
        self.gate = asyncio.Event()

    async def stream(self, request: LlmRequest) -> AsyncIterator[Any]:
        self.asked.set()
        await self.gate.wait()
        yield TextDelta(DRAFT)


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(redis_url, decode_responses=True)
    yield client
    await client.aclose()


@pytest.fixture
async def company(redis: aioredis.Redis) -> Company:
    return await new_company(CompanyRegistry(redis, SecretBox(SECRET_KEY)), "Atlas Air", (
        "How much do you charge for a service call?", FEE_ANSWER, ["price", "service call fee"],
    ))


@pytest.fixture
def actor(redis_url: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("JWT_SECRET", JWT_SECRET)
    monkeypatch.setenv("CLIENTSVIA_SECRET_KEY", SECRET_KEY)
    # The gate, not the draft's 8 s bound, decides when the draft comes.
    monkeypatch.setattr(call_summary, "draft_text", functools.partial(draft_text,
                                                                      timeout_s=600.0))
    settings = Settings.model_validate({
        "redis_url": redis_url, "jwt_secret": JWT_SECRET, "clientsvia_secret_key": SECRET_KEY,
        "provider_mode": "doubles",
    })
    instance = CallActor.__ray_actor_class__(settings.for_deployment())  # type: ignore[attr-defined]
    gc.unfreeze()  # the actor freezes what it built, for a process of its own: not this one
    instance._ending._drafter = GatedDrafter()
    return instance


@pytest.fixture
async def drain(redis: aioredis.Redis, tmp_path: Any) -> AsyncIterator[CallLogDrain]:
    group = "drafted-" + uuid.uuid4().hex
    await redis.xgroup_create(CALL_EVENTS_STREAM, group, id="$", mkstream=True)  # new only
    sink = CallLogDrain(redis, str(tmp_path / "logs"), group=group)
    yield sink
    sink.close()
    await redis.xgroup_destroy(CALL_EVENTS_STREAM, group)


async def ended_while_drafting(actor: Any, company: Company) -> str:
    """A call answered once and hung up; returns its sid once the draft was asked for."""
    setup = CallSetup(company_id=company.id, call_sid="CA" + uuid.uuid4().hex,
                      caller_number=unique_number(), called_number=company.phone_numbers()[0])
    await actor.begin(setup)
    answer = await actor.turn(setup.call_sid, FEE_QUESTION, 0.93)
    assert answer.tier == "knowledge" and not answer.more
    await asyncio.wait_for(actor.end(setup.call_sid, "completed", 40.0), CEILING_S)
    await asyncio.wait_for(actor._ending._drafter.asked.wait(), CEILING_S)
    return setup.call_sid


async def test_the_end_is_logged_before_the_draft_which_the_call_log_then_shows(
        actor, company, redis, drain):
    call_sid = await ended_while_drafting(actor, company)
    events = await events_of(redis, call_sid)
    ended = [event for event in events if isinstance(event, CallEnded)]
    assert len(ended) == 1 and ended[0].summary and ended[0].summary != DRAFT
    assert not any(isinstance(event, CallSummarized) for event in events)
    await drain.drain_until_idle()  # the calls row is written before the draft exists
    repository = CallLogRepository(drain.store)
    assert repository.get_call(company.id, call_sid)["summary"] == ended[0].summary

    actor._ending._drafter.gate.set()
    await asyncio.wait_for(asyncio.gather(*actor._background._tasks), CEILING_S)
    summarized = [e for e in await events_of(redis, call_sid) if isinstance(e, CallSummarized)]
    assert [event.summary for event in summarized] == [DRAFT]
    await drain.drain_until_idle()
    assert repository.get_call(company.id, call_sid)["summary"] == DRAFT
    listed = repository.list_calls(company.id)["items"]
    assert [item["summary"] for item in listed if item["callSid"] == call_sid] == [DRAFT]


async def test_a_draft_that_never_comes_leaves_the_call_logged_with_its_extractive_summary(
        actor, company, redis, drain):
    call_sid = await ended_while_drafting(actor, company)
    drafting = list(actor._background._tasks)
    for task in drafting:  # what the actor's death does to a draft in flight
        task.cancel()
    await asyncio.gather(*drafting, return_exceptions=True)
    await drain.drain_until_idle()

    detail = CallLogRepository(drain.store).get_call(company.id, call_sid)
    assert detail is not None and detail["summary"]
    assert detail["summary"] != DRAFT and detail["turnCount"] == 1
    assert not await actor.restore(call_sid, company.id)  # nothing was left to take over
    assert not any(isinstance(e, CallSummarized) for e in await events_of(redis, call_sid))
