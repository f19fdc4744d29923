"""A drain process killed (SIGKILL) after the notification was stored and read, before
it was sent: the next drain sends it, exactly once, and later drains send nothing."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from runtime.conversation import TakeMessage
from runtime.notifications.inbox import keep_message
from tenancy.registry import CompanyRegistry
from tenancy.secrets import SecretBox
from tests.notifications.outbox_fixtures import KEY, fresh_outbox, outgoing, staffed_company
from tests.notifications.test_outbox import context

ROOT = Path(__file__).resolve().parents[2]
WAIT_S = 120.0


async def until(condition: Callable[[], Awaitable[bool]], what: str) -> None:
    """Poll `condition` (a generous bound: a stuck process fails the test, not hangs it)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT_S
    while not await condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


def start_drain(redis_url: str, outbox, journal: Path, mode: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.notifications.notifier_process", redis_url,
         outbox.stream, outbox.delayed, str(journal), mode], cwd=ROOT, env=env)


def kill(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGKILL)
    assert process.wait(timeout=30) == -signal.SIGKILL


@pytest.fixture
def registry(redis_async: aioredis.Redis) -> CompanyRegistry:
    return CompanyRegistry(redis_async, SecretBox(KEY))


async def test_a_drain_killed_before_sending_sends_once_after_restart(
        registry, redis_async, redis_url, tmp_path):
    store = await staffed_company(registry, messages={"email": False, "officeEmail": False})
    outbox = fresh_outbox()
    journal = tmp_path / "journal.txt"
    journal.touch()
    await keep_message(store, context(), 1, TakeMessage("The heat is out"), outbox)
    [stored] = await store.notifications.list()

    holding = start_drain(redis_url, outbox, journal, "hold")
    try:
        await until(lambda: asyncio.to_thread(lambda: "holding" in journal.read_text()),
                    "the first drain to be about to send")
    finally:
        kill(holding)
    assert (await store.notifications.get(stored.id)).status == "queued"
    assert "sent" not in journal.read_text()

    sending = start_drain(redis_url, outbox, journal, "send")
    try:
        async def sent() -> bool:
            return (await store.notifications.get(stored.id)).status == "sent"
        await until(sent, "the restarted drain to send")
    finally:
        kill(sending)

    out = outgoing(redis_async, registry, outbox)  # a third drain, same consumer: nothing left
    while await out.drain.run_once(block_ms=1):
        pass
    assert out.sms.sent == []
    assert journal.read_text().splitlines() == [f"holding {stored.to}", f"sent {stored.to}"]
    assert (await store.notifications.get(stored.id)).attempts == 1
