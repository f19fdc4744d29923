"""The runtime's Redis client waits for a free connection instead of failing at once."""

from __future__ import annotations

import asyncio
import os
import signal
import uuid

import pytest
import redis.asyncio
import redis.exceptions

from runtime.embedded_redis import EmbeddedRedis
from runtime.redis_client import COMMAND_TIMEOUT_S, CONNECT_TIMEOUT_S, redis_client

WAIT_S = 10.0  # a ceiling on polling, not a timing assertion


async def wait_until_blocked(redis_url: str) -> None:
    """Poll the server until a client is blocked in BLPOP (the only connection is busy)."""
    observer = redis.asyncio.Redis.from_url(redis_url, decode_responses=True)
    try:
        async with asyncio.timeout(WAIT_S):
            while not any(c.get("cmd") == "blpop" and "b" in c.get("flags", "")
                          for c in await observer.client_list()):
                await asyncio.sleep(0.005)
    finally:
        await observer.aclose()


async def test_a_command_waits_for_a_busy_connection_instead_of_failing(redis_url: str):
    client = redis_client(redis_url, max_connections=1, wait_s=5.0)
    key = f"test:blocking:{uuid.uuid4().hex}"
    try:
        # the only connection is held ~0.3 s by a blocking pop; the SET queues behind it
        held = asyncio.create_task(client.blpop([key + ":empty"], timeout=0.3))
        await wait_until_blocked(redis_url)
        assert await client.set(key, "v") is True
        assert await held is None
        assert await client.get(key) == "v"
    finally:
        await client.delete(key)
        await client.aclose()


async def test_a_command_fails_clearly_once_the_wait_is_over(redis_url: str):
    client = redis_client(redis_url, max_connections=1, wait_s=0.1)
    try:
        held = asyncio.create_task(client.blpop([f"test:empty:{uuid.uuid4().hex}"], timeout=1))
        await wait_until_blocked(redis_url)
        with pytest.raises(redis.exceptions.ConnectionError):
            await client.get("anything")
        await held
    finally:
        await client.aclose()


async def test_bytes_clients_return_bytes(redis_url: str):
    client = redis_client(redis_url, decode_responses=False)
    key = f"test:bytes:{uuid.uuid4().hex}"
    try:
        await client.set(key, b"\xff\x00")
        assert await client.get(key) == b"\xff\x00"
    finally:
        await client.delete(key)
        await client.aclose()



async def test_a_redis_that_stops_answering_fails_the_command_instead_of_hanging(tmp_path):
    """A redis-server frozen with SIGSTOP mid-session, as a hung Redis looks to a client."""
    with EmbeddedRedis(data_dir=tmp_path) as server:
        client = redis_client(server.url, command_timeout_s=0.3, health_check_interval=0)
        assert await client.set("before", "hang")  # connected and handshaken
        assert server.process is not None
        os.kill(server.process.pid, signal.SIGSTOP)
        try:
            with pytest.raises(redis.exceptions.TimeoutError):
                # the outer bound (well above 0.3 s, below redis-py's own 5 s default) only
                # turns a lost timeout into a failure instead of a long wait
                await asyncio.wait_for(client.get("before"), timeout=2)
        finally:
            os.kill(server.process.pid, signal.SIGCONT)
            await client.aclose()


def test_the_runtime_clients_bound_connecting_and_every_reply():
    client = redis_client("redis://127.0.0.1:1/0")
    options = client.connection_pool.connection_kwargs
    assert options["socket_connect_timeout"] == CONNECT_TIMEOUT_S
    assert options["socket_timeout"] == COMMAND_TIMEOUT_S < 15 / 4  # a few commands per webhook
