"""`python -m loadtest.profile_replica`: the Serve replica's CPU per call webhook, in one process.

The very ASGI app a replica serves (`create_api` over `Services.from_settings`), driven
in process with signed Twilio webhooks and `<Play>` downloads, against an embedded Redis
and real call actors on a local Ray started here (the actor calls' caller side is part of
what a replica pays). N calls of: incoming webhook, the greeting's `<Play>`, 4 turns (the
Gather action and its `<Play>`), the final status callback; one request at a time, each
timed with the thread's CPU clock (not wall time: the machine is shared, and the actors
run in their own processes), optionally under cProfile (`--profile out.prof`, thread-CPU
timer). Not counted: uvicorn's HTTP parsing and Serve's middleware in front of the app.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import re
import secrets
import statistics
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import uvloop
from cryptography.fernet import Fernet
from twilio.request_validator import RequestValidator

from loadtest.profile_actor import BENCH_UTTERANCES, seed
from runtime.embedded_redis import EmbeddedRedis
from runtime.settings import Settings

PUBLIC_BASE_URL = "https://voice.profile.test"
TURNS_PER_CALL = 4  # the bench's mix: ~2.75 replica requests per turn
WARM_UP_CALLS = 3
KINDS = ("incoming", "greeting_play", "turn", "turn_play", "status")
# The rest of what Twilio posts with every voice webhook (signed and parsed like the rest).
TWILIO_CALL_PARAMS = {
    "ApiVersion": "2010-04-01", "CallerCity": "FORT MYERS", "CallerState": "FL",
    "CallerZip": "33901", "CallerCountry": "US", "CalledCity": "NAPLES", "CalledState": "FL",
    "CalledZip": "34102", "CalledCountry": "US", "FromCity": "FORT MYERS", "FromState": "FL",
    "FromZip": "33901", "FromCountry": "US", "ToCity": "NAPLES", "ToState": "FL",
    "ToZip": "34102", "ToCountry": "US", "StirVerstat": "TN-Validation-Passed-A",
}
_PLAY = re.compile(r"<Play>([^<]+)</Play>")

Asgi = Any


class Caller:
    """Signs and sends Twilio's requests to the app as ASGI calls; keeps each one's CPU."""

    def __init__(self, app: Asgi, auth_token: str, account_sid: str, company_id: str) -> None:
        self._app = app
        self._validator = RequestValidator(auth_token)
        self._account_sid = account_sid
        self._company_id = company_id
        self.samples: dict[str, list[float]] = defaultdict(list)

    async def call(self, index: int) -> None:
        sid = "CA" + uuid.uuid4().hex
        caller = f"+1555100{index:04d}"
        base = {"CallSid": sid, "AccountSid": self._account_sid, "From": caller,
                "To": "+15550002222", "Caller": caller, "Called": "+15550002222",
                "Direction": "inbound", **TWILIO_CALL_PARAMS}
        twiml = await self._post("incoming", f"/api/twilio/webhook/{self._company_id}",
                                 {**base, "CallStatus": "ringing"})
        await self._plays("greeting_play", twiml)
        for turn in range(TURNS_PER_CALL):
            speech = BENCH_UTTERANCES[(index + turn) % len(BENCH_UTTERANCES)]
            twiml = await self._post("turn", f"/api/twilio/calls/{self._company_id}/turn",
                                     {**base, "CallStatus": "in-progress",
                                      "SpeechResult": speech, "Confidence": "0.91"},
                                     idempotency=True)
            await self._plays("turn_play", twiml)
        await self._post("status", f"/api/twilio/status/{self._company_id}",
                         {**base, "CallStatus": "completed", "CallDuration": "42"})

    async def _plays(self, kind: str, twiml: str) -> None:
        for url in _PLAY.findall(twiml):
            await self._send(kind, "GET", url.removeprefix(PUBLIC_BASE_URL), [], b"")

    async def _post(self, kind: str, path: str, params: dict[str, str],
                    idempotency: bool = False) -> str:
        body = urlencode(params).encode()
        headers = [
            (b"content-type", b"application/x-www-form-urlencoded"),
            (b"content-length", str(len(body)).encode()),
            (b"x-twilio-signature",
             self._validator.compute_signature(PUBLIC_BASE_URL + path, params).encode()),
            (b"user-agent", b"TwilioProxy/1.1"),
        ]
        if idempotency:
            headers.append((b"i-twilio-idempotency-token", uuid.uuid4().hex.encode()))
        return await self._send(kind, "POST", path, headers, body)

    async def _send(self, kind: str, method: str, path: str,
                    headers: list[tuple[bytes, bytes]], body: bytes) -> str:
        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
            "method": method, "scheme": "http", "path": path, "raw_path": path.encode(),
            "query_string": b"", "root_path": "", "client": ("127.0.0.1", 40000),
            "server": ("127.0.0.1", 8000),
            "headers": [(b"host", b"127.0.0.1:8000"), *headers], "state": {},
        }
        messages = [{"type": "http.request", "body": body, "more_body": False}]
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            return messages.pop() if messages else {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        started = time.thread_time()
        await self._app(scope, receive, send)
        self.samples[kind].append(time.thread_time() - started)
        status = sent[0]["status"]
        if status >= 400:
            raise RuntimeError(f"{method} {path}: HTTP {status}")
        return b"".join(m.get("body", b"") for m in sent[1:]).decode("latin-1")


async def measure(calls: int, profile: Path | None, actors: int) -> dict[str, Any]:
    key = Fernet.generate_key().decode()
    os.environ.update({"CLIENTSVIA_SECRET_KEY": key, "JWT_SECRET": secrets.token_urlsafe(32)})
    import ray

    from runtime.redis_client import redis_client
    from runtime.serve.app import create_api
    from runtime.serve.services import Services
    from tenancy.registry import CompanyRegistry
    from tenancy.secrets import SecretBox

    with EmbeddedRedis(Path(tempfile.mkdtemp(prefix="profile-replica-"))) as server:
        ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False,
                 configure_logging=False,
                 runtime_env={"env_vars": {"RAY_USAGE_STATS_ENABLED": "0",
                                           "CLIENTSVIA_SECRET_KEY": key}})
        try:
            account_sid, auth_token = "AC" + secrets.token_hex(16), secrets.token_hex(16)
            settings = Settings.model_validate({
                "redis_url": server.url, "provider_mode": "doubles",
                "public_base_url": PUBLIC_BASE_URL, "parquet_root": tempfile.mkdtemp(),
                "warm_pool_size": 1, "warm_pool_max": actors * 25, "calls_per_actor": 25,
            })
            redis = redis_client(server.url)
            registry = CompanyRegistry(redis, SecretBox(key))
            company_id = await seed(registry)
            await registry.patch(company_id, {"twilioConfig": {  # its own Twilio account
                "accountSid": account_sid, "authToken": auth_token}})
            services = Services.from_settings(settings)
            caller = Caller(create_api(services), auth_token, account_sid, company_id)
            for index in range(WARM_UP_CALLS):
                await caller.call(index)
            caller.samples.clear()
            profiler = cProfile.Profile(time.thread_time) if profile else None
            if profiler:
                profiler.enable()
            for index in range(calls):
                await caller.call(index)
            if profiler and profile:
                profiler.disable()
                profiler.dump_stats(profile)
            await services.close()
            await redis.aclose()
        finally:
            ray.shutdown()
    return summary(caller.samples, calls)


def summary(samples: dict[str, list[float]], calls: int) -> dict[str, Any]:
    result: dict[str, Any] = {"calls": calls}
    for kind in KINDS:
        values = [sample * 1000 for sample in samples[kind]]
        result[kind] = {"n": len(values), "p50_ms": round(statistics.median(values), 3),
                        "mean_ms": round(statistics.mean(values), 3)}
    total = sum(sum(samples[kind]) for kind in KINDS) * 1000
    result["per_turn_ms"] = round(total / (calls * TURNS_PER_CALL), 3)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m loadtest.profile_replica",
                                     description=__doc__)
    parser.add_argument("--calls", type=int, default=60)
    parser.add_argument("--actors", type=int, default=1, help="call actors the pool may start")
    parser.add_argument("--profile", type=Path, default=None,
                        help="write cProfile stats (thread CPU) here")
    args = parser.parse_args()
    # A Serve replica runs its app on uvloop.
    print(uvloop.run(measure(args.calls, args.profile, args.actors)))


if __name__ == "__main__":
    main()
