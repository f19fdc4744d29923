"""A call no agent took counts as a call on the dashboards, with its own outcome, and leaves
the averages of the calls the agent had (duration, sentiment) as they were; DuckDB and
Polars agree."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from analytics.events import CallEnded, CallNotTaken, CallStarted
from analytics.repository import CallLogRepository
from tests.analytics.ingest import ingest

COMPANY = "c" * 24
AT = datetime(2026, 3, 4, 15, 0, tzinfo=UTC)


@pytest.fixture
async def repo(redis_url: str, tmp_path: Path) -> CallLogRepository:
    answered = {"company_id": COMPANY, "call_sid": "CAanswered0001", "started_at": AT}
    redis = aioredis.Redis.from_url(redis_url)
    try:
        await ingest(redis, tmp_path, [
            CallStarted(**answered, caller_number="+12395550120", called_number="+12395550100"),
            CallEnded(**answered, outcome="booked", duration_s=60.0, final_sentiment=0.8,
                      turn_count=4, ended_at=AT + timedelta(seconds=60)),
            CallNotTaken(company_id=COMPANY, call_sid="CAnottaken0001", reason="rate_limited",
                         started_at=AT + timedelta(minutes=5), caller_number="+12395550121",
                         called_number="+12395550100", forwarded_to="+12395550199"),
        ])
    finally:
        await redis.aclose()
    return CallLogRepository(str(tmp_path))


def test_a_call_no_agent_took_is_a_call_but_not_in_the_averages(repo):
    duck, polars = (repo.analytics(COMPANY, "2026-03-04", "2026-03-04", engine=engine)
                    for engine in ("duckdb", "polars"))
    assert duck == polars
    assert duck["totalCalls"] == 2 and duck["containmentRate"] == 0.5
    assert duck["outcomes"]["not_taken"] == 1 and duck["outcomes"]["booked"] == 1
    assert duck["durationSeconds"]["mean"] == 60.0
    assert sum(duck["sentiment"].values()) == 1 and duck["sentiment"]["very_positive"] == 1
