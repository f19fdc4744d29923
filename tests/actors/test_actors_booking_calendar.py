"""A phone booking for a company whose Google Calendar hangs: the call books on the company's
own rules within the calendar timeout, and the event is left for a later retry."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import ray
import redis.asyncio as aioredis

from runtime.actors.gateway import CallGateway
from runtime.actors.messages import AgentReply, CallSetup
from runtime.actors.pool import PoolConfig, ensure_pool
from runtime.settings import Settings
from tenancy.calendar_link import CalendarLink
from tenancy.models import CompanyProfile, utc_now
from tenancy.models.company import WEEKDAYS
from tenancy.registry import CompanyRegistry
from tenancy.secrets import SecretBox
from tests.serve_fixtures import JWT_SECRET, SECRET_KEY, unique_number

pytestmark = pytest.mark.ray

NAMESPACE = "booking-calendar-test"


@pytest.fixture(scope="module")
def settings(redis_url: str) -> Settings:
    return Settings.model_validate({
        # the session's secrets: Ray processes read them from their environment
        "redis_url": redis_url, "jwt_secret": JWT_SECRET,
        "clientsvia_secret_key": SECRET_KEY, "provider_mode": "doubles",
        "warm_pool_size": 1, "max_concurrent_calls": 1, "actor_max_uses": 10,
        "double_calendar_failure": "hang", "calendar_timeout_s": 0.3,
    })


@pytest.fixture(scope="module")
def pool(ray_session: None, settings: Settings) -> Iterator[Any]:
    config = PoolConfig.from_settings(settings, namespace=NAMESPACE, reap_interval_s=3600.0,
                                      idle_call_timeout_s=600.0)
    handle = ensure_pool(settings, config=config, name="booking-calendar-pool", detached=False)
    assert ray.get(handle.wait_warm.remote(60.0))
    yield handle
    ray.get(handle.shutdown.remote())
    ray.kill(handle)


async def test_a_hanging_calendar_does_not_stop_a_phone_booking(settings, pool, redis_url):
    redis = aioredis.Redis.from_url(redis_url, decode_responses=True)
    registry = CompanyRegistry(redis, SecretBox(SECRET_KEY))
    company = await registry.create(CompanyProfile.model_validate({
        "companyName": "Atlas Air", "tradeCategories": ["HVAC"],
        "twilioConfig": {"phoneNumbers": [{"phoneNumber": unique_number(), "isPrimary": True}]},
        "agentSetup": {"operatingHours": [{"day": day, "start": "00:00", "end": "24:00"}
                                          for day in WEEKDAYS]},
    }))
    store = registry.tenant(company.id)
    await store.calendar_link.save(CalendarLink(refreshToken="refresh-token"))
    gateway = CallGateway(settings, redis, pool=pool, namespace=NAMESPACE)
    setup = CallSetup(company_id=company.id, call_sid="CA" + uuid.uuid4().hex,
                      caller_number="+12395557777", called_number=company.phone_numbers()[0])
    assert isinstance(await gateway.start_call(setup, forward_to=None), AgentReply)
    said = []
    for utterance in ("book a repair", "tomorrow morning", "the first one", "Pat Doe",
                      "12 Palm Ave", "yes", "yes"):
        reply = await gateway.turn(company.id, setup.call_sid, utterance, 0.9)
        said.append(" ".join(u.text for u in reply.utterances))
    await gateway.end_call(company.id, setup.call_sid, "completed", 30.0)
    assert said[-1].startswith("You're all set!"), said
    [booking] = await store.bookings.between(utc_now(), utc_now() + timedelta(days=3))
    assert booking.customerName == "Pat Doe" and booking.calendarEventId is None
    assert await store.calendar_pending.take(10) == [booking.id]
    await redis.aclose()

