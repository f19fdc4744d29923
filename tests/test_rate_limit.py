"""Rate limits are counted in Redis: every replica enforces one shared per-tenant limit."""

from __future__ import annotations

import pytest

from runtime.serve.errors import ApiError
from runtime.serve.rate_limit import TenantRateLimiter
from runtime.window_counter import WindowCounter


async def test_two_replicas_share_one_limit(redis_async):
    clock = lambda: 1_000_040.0  # noqa: E731  (a fixed moment inside one window)
    replicas = [TenantRateLimiter(WindowCounter(redis_async, clock=clock), {"api": 5})
                for _ in range(2)]
    company = "c" * 24
    for i in range(5):
        await replicas[i % 2].check("api", company)
    with pytest.raises(ApiError) as refused:
        await replicas[1].check("api", company)
    assert refused.value.status == 429
    assert refused.value.headers == {"Retry-After": "40"}
    await replicas[0].check("api", "d" * 24)  # another tenant has its own window


async def test_a_new_window_starts_from_zero(redis_async):
    now = [2_000_000.0]
    limiter = TenantRateLimiter(WindowCounter(redis_async, clock=lambda: now[0]),
                                {"new_call": 1})
    assert await limiter.allowed("new_call", "e" * 24)
    assert not await limiter.allowed("new_call", "e" * 24)
    now[0] += 60
    assert await limiter.allowed("new_call", "e" * 24)


async def test_a_windows_count_expires_after_the_next_window(redis_async):
    counter = WindowCounter(redis_async, window_s=60, clock=lambda: 3_000_000.0)
    assert [await counter.hit("api", "f" * 24) for _ in range(3)] == [1, 2, 3]
    assert 60 < await redis_async.ttl(counter.key("api", "f" * 24)) <= 120
