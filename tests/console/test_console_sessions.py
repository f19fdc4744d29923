"""Console sessions: found by their token only, lapse when idle and after a fixed age."""

from __future__ import annotations

import pytest

from tenancy.console_sessions import ConsoleSessionStore, SessionPolicy, session_key
from tenancy.users import Role, User

USER = User(email="office@example.com", role=Role.COMPANY_ADMIN, companyId="a" * 24,
            passwordHash="$2b$04$unused")


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(redis_async, clock) -> ConsoleSessionStore:
    return ConsoleSessionStore(redis_async, SessionPolicy(idle_s=600, absolute_s=3600), clock)


async def test_a_session_is_resumed_by_its_token_and_ended_by_logout(store, redis_async):
    token, session = await store.start(USER)
    resumed = await store.resume(token)
    assert resumed == session and resumed.companyId == USER.companyId
    assert not [k async for k in redis_async.scan_iter(match=f"*{token}*")]  # stored hashed
    assert await store.resume(token + "x") is None
    await store.end(token)
    assert await store.resume(token) is None


async def test_idle_expiry_is_the_key_ttl_renewed_on_use(store, redis_async):
    token, _ = await store.start(USER)
    key = session_key(token)
    await redis_async.expire(key, 5)
    await store.resume(token)
    assert 590 <= await redis_async.ttl(key) <= 600


async def test_a_busy_session_still_ends_at_its_absolute_age(store, clock, redis_async):
    token, _ = await store.start(USER)
    clock.now += 3500
    assert await store.resume(token) is not None
    assert 0 < await redis_async.ttl(session_key(token)) <= 100  # never past the age
    clock.now += 101
    assert await store.resume(token) is None
