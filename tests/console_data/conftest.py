"""A replica's services without Ray: a real Redis, a Parquet folder, one company's calls."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from analytics.events import CallEventBase
from analytics.generator import CallLogGenerator, GeneratorConfig
from runtime.serve.services import Services
from runtime.settings import Settings
from tenancy.models import CompanyProfile
from tests.analytics.ingest import ingest
from tests.serve_fixtures import JWT_SECRET, SECRET_KEY

START = date(2026, 3, 2)
DAYS = 7


@pytest.fixture
async def services(redis_url: str, tmp_path) -> AsyncIterator[Services]:
    settings = Settings(redis_url=redis_url, jwt_secret=JWT_SECRET,
                        clientsvia_secret_key=SECRET_KEY, parquet_root=str(tmp_path / "parquet"),
                        provider_mode="doubles", embedding_model="hashed-words", bcrypt_rounds=4)
    built = Services.from_settings(settings)
    yield built
    await built.close()


@pytest.fixture
async def company_calls(services: Services) -> tuple[str, str, list[CallEventBase]]:
    """Two companies, each with a week of generated calls on disk; the first's id and events."""
    made = [await services.registry.create(CompanyProfile(companyName=name,
                                                          timezone="America/New_York"))
            for name in ("Atlas Air", "Bayside Plumbing")]
    generator = CallLogGenerator(GeneratorConfig(seed=5, companies=2, days=DAYS, start=START,
                                                 calls_per_day=8))
    remap = {c.company_id: made[n].id for n, c in enumerate(generator.companies)}
    events = [e.model_copy(update={"company_id": remap[e.company_id]})
              for e in generator.events()]
    redis = aioredis.Redis.from_url(services.settings.redis_url)
    try:
        await ingest(redis, Path(services.settings.parquet_root), events)
    finally:
        await redis.aclose()
    return made[0].id, made[1].id, events
