"""Analytics share the webhook process politely: bounded engines, call detail by partition."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import date, timedelta
from pathlib import Path

import pytest
import redis.asyncio as aioredis

import analytics.repository as repository_module
from analytics.errors import InvalidQuery
from analytics.events import CallEnded
from analytics.generator import CallLogGenerator, GeneratorConfig
from analytics.repository import CallLogRepository
from analytics.sources import CompanyFiles, QueryLimits, SessionFactory
from runtime.serve.analytics_pool import analytics_executor
from runtime.serve.app import replica_actor_options
from runtime.settings import Settings
from tests.analytics.ingest import ingest

NO_FILES = CompanyFiles(calls=[], turns=[])
SETTING_SQL = "SELECT current_setting('threads') AS threads, current_setting('memory_limit') AS m"


def test_duckdb_runs_with_the_configured_threads_and_memory() -> None:
    with SessionFactory(QueryLimits(threads=1, memory_mb=300)).open("duckdb", NO_FILES) as s:
        bounded = s.rows(SETTING_SQL)[0]
    with SessionFactory().open("duckdb", NO_FILES) as s:
        default = s.rows(SETTING_SQL)[0]
    assert bounded["threads"] == 1 and bounded["m"].startswith("286.1 MiB")  # 300 MB
    assert default["threads"] == os.cpu_count() and default["m"] != bounded["m"]


def test_replicas_size_polars_to_the_analytics_threads() -> None:
    settings = Settings(jwt_secret="j" * 32, clientsvia_secret_key="k" * 32, analytics_threads=1)
    env = replica_actor_options(settings)["runtime_env"]["env_vars"]
    probe = "import polars; print(polars.thread_pool_size())"
    polars = subprocess.run([sys.executable, "-c", probe], env=os.environ | env,
                            capture_output=True, text=True, check=True)
    assert polars.stdout.strip() == "1"


@pytest.fixture
async def two_months(
    redis_async: aioredis.Redis, tmp_path: Path
) -> tuple[CallLogRepository, list[CallEnded]]:
    generator = CallLogGenerator(GeneratorConfig(seed=3, companies=1, days=60, calls_per_day=1,
                                                 start=date(2026, 1, 5)))
    events = list(generator.events())
    await ingest(redis_async, tmp_path, events)
    ended = sorted((e for e in events if isinstance(e, CallEnded)), key=lambda e: e.started_at)
    return CallLogRepository(str(tmp_path)), ended


def test_call_detail_reads_the_newest_days_first_and_only_the_given_day(
    two_months: tuple[CallLogRepository, list[CallEnded]], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, ended = two_months
    newest, oldest = ended[-1], ended[0]
    company = newest.company_id
    opened: list[tuple[date | None, date | None]] = []
    real = repository_module.company_files

    def spy(store, company_id, first, last):  # type: ignore[no-untyped-def]
        opened.append((first, last))
        return real(store, company_id, first, last)

    monkeypatch.setattr(repository_module, "company_files", spy)

    assert repo.get_call(company, newest.call_sid)["outcome"] == newest.outcome  # type: ignore[index]
    first, last = opened[0]
    assert last is None and first is not None and first > oldest.started_at.date()
    assert len(opened) == 2  # the newest week, then the call's own day for its transcript

    opened.clear()
    found = repo.get_call(company, oldest.call_sid)
    assert found is not None and found["callSid"] == oldest.call_sid
    assert opened[-2][0] is None  # reached the oldest days last

    opened.clear()
    day = oldest.started_at.date()
    assert repo.get_call(company, oldest.call_sid, day.isoformat()) is not None
    assert opened[0] == (day - timedelta(days=1), day + timedelta(days=1))
    assert repo.get_call(company, oldest.call_sid, (day + timedelta(days=9)).isoformat()) is None
    with pytest.raises(InvalidQuery):
        repo.get_call(company, oldest.call_sid, "yesterday")


def test_analytics_threads_run_nicer_than_the_replica() -> None:
    replica = os.getpriority(os.PRIO_PROCESS, 0)
    with analytics_executor(threads=2, nice_steps=7) as pool:
        niceness = set(pool.map(lambda _: os.getpriority(os.PRIO_PROCESS,
                                                          threading.get_native_id()), range(8)))
    assert niceness == {min(19, replica + 7)}
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == replica  # caller
