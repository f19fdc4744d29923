"""Session fixtures: one real Redis server (and, for `ray` tests, one Ray instance)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import redis
import redis.asyncio as aioredis

from runtime.embedded_redis import EmbeddedRedis

os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedRedis]:
    """A real redis-server for the whole session (restartable by tests that need it)."""
    server = EmbeddedRedis(data_dir=Path(tmp_path_factory.mktemp("redis"))).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_url(redis_server: EmbeddedRedis) -> str:
    return redis_server.url


@pytest.fixture
def redis_sync(redis_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    yield client
    client.close()


@pytest.fixture
async def redis_async(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(redis_url, decode_responses=True)
    yield client
    await client.aclose()


@pytest.fixture(scope="session")
def ray_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """One local Ray instance for every test that needs actors or Serve."""
    import ray

    from tests.serve_fixtures import secret_environment

    # Secrets reach Ray processes through their environment, never as arguments; provider
    # keys a developer may have exported are dropped, so no test can reach a vendor.
    for name in ("GEMINI_API_KEY", "ELEVENLABS_API_KEY"):
        os.environ.pop(name, None)
    os.environ.update(secret_environment())
    # The session's actors share the model graph and catalog vectors through a node cache
    # of its own (the first actor writes it, the next read it), not the user's.
    os.environ["NODE_CACHE_DIR"] = str(tmp_path_factory.mktemp("node-cache"))
    if not ray.is_initialized():
        ray.init(
            num_cpus=2,
            include_dashboard=False,
            log_to_driver=False,
            configure_logging=False,
            runtime_env={"env_vars": {"RAY_USAGE_STATS_ENABLED": "0"}},
        )
    yield
    try:
        from ray import serve

        serve.shutdown()
    finally:
        ray.shutdown()


from tests.serve_fixtures import admin, api_server  # noqa: E402,F401  (session Serve app)
from tests.twilio_webhooks import call_pool, twilio  # noqa: E402,F401  (webhook fixtures)
from tests.user_admin_app import people, users_app  # noqa: E402,F401  (in process, own Redis db)
