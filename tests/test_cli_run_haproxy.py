"""`clientsvia run` end to end with the default HAProxy ingress, in its own process.

The Serve flags are read when Ray starts, so this cannot share the session's Ray
instance: it starts the CLI as an operator would (own Ray node, the test's Redis), places
a signed call through whatever answers on the HTTP port, checks that it is HAProxy, that
HAProxy serves repeated `<Play>` files from its cache no longer than Redis keeps them, and
stops the run with SIGTERM, which must leave no HAProxy behind.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest
import redis.asyncio as aioredis

from loadtest.twilio_sim import TwilioCallSimulator
from runtime.audio_http import CLIENT_CACHE_CONTROL, LIFETIME_HEADER
from runtime.embedded_redis import free_port
from runtime.providers.audio_store import AUDIO_KEY_PREFIX, AudioStore
from tenancy.seed import DEMO_NUMBER

pytestmark = pytest.mark.ray  # starts a Ray node of its own

REPO = Path(__file__).resolve().parent.parent
START_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 60.0


def _listener(port: int) -> psutil.Process | None:
    for conn in psutil.net_connections("tcp"):
        if conn.status == psutil.CONN_LISTEN and conn.laddr.port == port and conn.pid:
            return psutil.Process(conn.pid)
    return None


def _wait_until_up(process: subprocess.Popen[bytes], base: str, log: Path) -> str:
    """The demo company's id, once the run answers /health and printed its welcome."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        assert process.poll() is None, log.read_text()[-3000:]
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200 and \
                    "Demo company" in log.read_text():
                return log.read_text().split("_id ")[1].split(",")[0]
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, "clientsvia run did not come up"
        time.sleep(0.5)


async def _audio_repeats_come_from_haproxy_while_redis_keeps_them(
    base: str, redis_url: str
) -> None:
    redis = aioredis.Redis.from_url(redis_url, decode_responses=False)
    async with httpx.AsyncClient() as http:
        greeting = await AudioStore(redis).put(b"RIFF-said-on-every-call")
        first, again = [await http.get(f"{base}/api/twilio/audio/{greeting}.wav")
                        for _ in range(2)]
        assert first.status_code == again.status_code == 200
        assert first.content == again.content == b"RIFF-said-on-every-call"
        assert "age" not in first.headers and "age" in again.headers  # again: HAProxy's copy
        for answer in (first, again):  # what clients see is the route's own promise
            assert answer.headers["cache-control"] == CLIENT_CACHE_CONTROL
            assert LIFETIME_HEADER not in answer.headers
        assert "age" not in (await http.get(f"{base}/health")).headers  # only audio is kept

        short = await AudioStore(redis, ttl_s=2).put(b"RIFF-a-passing-answer")
        url = f"{base}/api/twilio/audio/{short}.wav"
        assert [(await http.get(url)).status_code for _ in range(2)] == [200, 200]
        while await redis.exists(AUDIO_KEY_PREFIX + short):
            await asyncio.sleep(0.1)  # until Redis drops it: HAProxy's copy is gone already
        assert (await http.get(url)).status_code == 404
    await redis.aclose()


async def test_run_serves_signed_calls_through_haproxy_and_stops_cleanly(
    tmp_path: Path, redis_url: str
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    twilio_token = secrets.token_hex(16)
    env = os.environ | {
        "REDIS_URL": redis_url,
        "PUBLIC_BASE_URL": base,
        "TWILIO_AUTH_TOKEN": twilio_token,
        "PROVIDER_MODE": "doubles",
        "WARM_POOL_SIZE": "1",
        "PYTHONPATH": str(REPO),
    }
    log = tmp_path / "run.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "runtime.cli", "run", "--port", str(port)],
            cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        company_id = _wait_until_up(process, base, log)
        listener = _listener(port)
        assert listener is not None and listener.name() == "haproxy"

        async with TwilioCallSimulator(base, twilio_token) as sim:
            record = await sim.place_call(to=DEMO_NUMBER, from_="+14155550123",
                                          company_id=company_id,
                                          utterances=["Do you service heat pumps?"])
        assert record.ok, record.errors
        assert record.agent_texts()
        async with httpx.AsyncClient() as http:  # a forged webhook is still refused
            forged = await http.post(f"{base}/api/twilio/voice", data={"To": DEMO_NUMBER},
                                     headers={"X-Twilio-Signature": "forged"})
        assert forged.status_code == 403
        assert forged.json()["error"]
        await _audio_repeats_come_from_haproxy_while_redis_keeps_them(base, redis_url)

        process.send_signal(signal.SIGTERM)
        process.wait(STOP_TIMEOUT_S)
        assert not psutil.pid_exists(listener.pid) or \
            listener.status() == psutil.STATUS_ZOMBIE
        assert _listener(port) is None
    finally:
        if process.poll() is None:  # a failed check: stop it as an operator would, so no
            process.send_signal(signal.SIGTERM)  # HAProxy or Ray is left holding ports
            try:
                process.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
