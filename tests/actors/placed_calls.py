"""What the tests of calls on real actors share: a warm pool, the companies' knowledge,
placing a call through the gateway, finding its actor, reading its events (fixtures:
conftest.py)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import ray
import redis.asyncio as aioredis

from analytics.emitter import CALL_EVENTS_STREAM, PAYLOAD_FIELD
from analytics.events import parse_event
from runtime.actors.directory import CallDirectory
from runtime.actors.gateway import CallGateway
from runtime.actors.messages import AgentReply, CallSetup
from runtime.actors.pool import PoolConfig, ensure_pool
from runtime.settings import Settings
from tenancy.models import Company, CompanyProfile, EmployeeFields, QnAFields
from tenancy.models.company import WEEKDAYS
from tenancy.registry import CompanyRegistry
from tests.serve_fixtures import unique_number

NAMESPACE = "actors-test"  # the Ray namespace of the calls tests' actors
FEE_QUESTION = "How much is your service call fee?"
FEE_ANSWER = "Our service call fee is $89."
FINANCING_ANSWER = "Yes, we offer financing with approved credit."


@contextmanager
def warm_pool(settings: Settings, name: str, namespace: str = NAMESPACE,
              warm_within_s: float = 60.0, **config: Any) -> Iterator[Any]:
    """A call pool of the test's own (`config`: `PoolConfig` fields), its warm actors
    started before it is handed out; shut down and killed after."""
    pool_config = PoolConfig.from_settings(settings, namespace=namespace, **config)
    handle = ensure_pool(settings, config=pool_config, name=name, detached=False)
    assert ray.get(handle.wait_warm.remote(warm_within_s))
    yield handle
    ray.get(handle.shutdown.remote())
    ray.kill(handle)


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
