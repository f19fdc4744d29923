"""A real headless Locust run of the phone-call users against a stub voice server.

The stub listens on loopback in a thread, checks every Twilio signature and walks a
caller through Gather → Redirect → Gather → Dial or Hangup, serving a WAV greeting. The
run proves the gevent ↔ asyncio bridge carries whole calls and that every kind of request
reaches Locust's statistics.
"""

from __future__ import annotations

import contextlib
import csv
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl

import psutil
import pytest
import uvicorn
from fastapi import FastAPI, HTTPException, Request, Response
from twilio.request_validator import RequestValidator

from loadtest import run_load
from loadtest.run_load import Tenant, write_tenants

AUTH_TOKEN = "0123456789abcdef0123456789abcdef"
REPO = Path(__file__).resolve().parents[2]
LOCUSTFILE = REPO / "loadtest" / "locustfile.py"
TENANTS = [
    Tenant("a" * 24, "+12395550100", "HVAC"),
    Tenant("b" * 24, "+12395550101", "Plumbing"),
    Tenant("c" * 24, "+12395550102", "Electrical"),
]
TRANSFER_WORDS = ("person", "someone", "gas", "burst", "sparks")
KINDS = ("setup", "turn", "redirect", "dial", "audio", "status")
USERS = 3
RUN_CEILING_S = 180  # Locust's own --run-time: a ceiling, normally never reached


def greeting_wav() -> bytes:
    payload = b"\xff" * 400
    fmt = struct.pack("<HHIIHH", 7, 1, 8000, 8000, 1, 8)
    chunks = b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack(
        "<I", len(payload)
    ) + payload
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WAVE" + chunks


@dataclass
class StubVoiceServer:
    public_url: str
    app: FastAPI = field(default_factory=FastAPI)
    statuses: list[str] = field(default_factory=list)
    refused: int = 0


def build_stub(public_url: str) -> StubVoiceServer:
    stub = StubVoiceServer(public_url)
    validator = RequestValidator(AUTH_TOKEN)
    wav = greeting_wav()

    async def verified(request: Request) -> dict[str, str]:
        params = dict(parse_qsl((await request.body()).decode(), keep_blank_values=True))
        query = f"?{request.url.query}" if request.url.query else ""
        url = f"{stub.public_url}{request.url.path}{query}"
        if not validator.validate(url, params, request.headers.get("X-Twilio-Signature", "")):
            stub.refused += 1
            raise HTTPException(403, "invalid Twilio signature")
        return params

    def twiml(body: str) -> Response:
        return Response(f"<Response>{body}</Response>", media_type="application/xml")

    def gather(company: str, prompt: str) -> str:
        action = f"/api/twilio/calls/{company}/turn"
        return f'<Gather input="speech" action="{action}" speechTimeout="auto">{prompt}</Gather>'

    @stub.app.post("/api/twilio/webhook/{company}")
    async def incoming(company: str, request: Request) -> Response:
        await verified(request)
        return twiml(gather(company, "<Play>/audio/greeting.wav</Play>") + "<Hangup/>")

    @stub.app.post("/api/twilio/calls/{company}/turn")
    async def turn(company: str, request: Request) -> Response:
        speech = (await verified(request)).get("SpeechResult", "").lower()
        if any(word in speech for word in ("bye", "thank")):
            return twiml("<Say>Thanks for calling!</Say><Hangup/>")
        if any(word in speech for word in TRANSFER_WORDS):
            action = f"/api/twilio/calls/{company}/dial"
            return twiml(f'<Dial action="{action}"><Number>+12395550111</Number></Dial>')
        return twiml(f"<Say>Good question.</Say><Redirect>/api/twilio/calls/{company}/more"
                     "</Redirect>")

    @stub.app.post("/api/twilio/calls/{company}/more")
    async def more(company: str, request: Request) -> Response:
        await verified(request)
        return twiml(gather(company, "<Say>Anything else?</Say>"))

    @stub.app.post("/api/twilio/calls/{company}/dial")
    async def dial(company: str, request: Request) -> Response:
        await verified(request)
        return twiml("<Say>Transfer over.</Say><Hangup/>")

    @stub.app.post("/api/twilio/status/{company}")
    async def status(company: str, request: Request) -> Response:
        stub.statuses.append((await verified(request))["CallStatus"])
        return Response(status_code=204)

    @stub.app.get("/audio/{name}")
    async def audio(name: str, request: Request) -> Response:
        await verified(request)
        return Response(wav, media_type="audio/wav")

    return stub


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def stub_server() -> Iterator[StubVoiceServer]:
    port = free_port()
    stub = build_stub(f"http://127.0.0.1:{port}")
    server = uvicorn.Server(uvicorn.Config(stub.app, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "stub voice server did not start"
        time.sleep(0.02)
    yield stub
    server.should_exit = True
    thread.join(timeout=5)


def locust(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), *args],
        cwd=REPO, env=env or dict(os.environ), capture_output=True, text=True, timeout=60,
    )


def complete(stats: Path) -> bool:
    """Locust's statistics (rewritten every second) show every kind and more than 3 calls."""
    try:
        rows = list(csv.DictReader(stats.open()))
        counts = {(r["Type"], r["Name"]): int(r["Request Count"]) for r in rows}
    except (OSError, KeyError, ValueError):  # not written yet, or caught mid-rewrite
        return False
    calls = sum(count for (kind, _), count in counts.items() if kind == "call")
    return all(counts.get(("twilio", kind), 0) > 0 for kind in KINDS) and calls > 3


def stop_locust_once_complete(stats: Path) -> None:
    """Poll the statistics, then SIGTERM the Locust process this test started."""
    deadline = time.monotonic() + RUN_CEILING_S
    while not complete(stats):
        if time.monotonic() > deadline:
            return  # Locust's own --run-time ends the run; the asserts say what was missing
        time.sleep(0.1)
    for child in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.NoSuchProcess):
            if "locust" in child.cmdline():
                child.send_signal(signal.SIGTERM)


def test_the_locustfile_imports_and_offers_the_phone_call_user() -> None:
    listed = locust("--list")

    assert listed.returncode == 0, listed.stderr
    assert "PhoneCall" in listed.stdout


def test_a_headless_run_places_whole_calls_and_reports_every_request_kind(
    stub_server: StubVoiceServer, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    tenants_file = tmp_path / "tenants.json"
    write_tenants(tenants_file, TENANTS)

    stats = tmp_path / "run_stats.csv"
    stopper = threading.Thread(target=stop_locust_once_complete, args=(stats,), daemon=True)
    stopper.start()
    code = run_load.main(
        ["--host", stub_server.public_url, "--reuse-tenants", "--tenants-file", str(tenants_file),
         "--users", str(USERS), "--spawn-rate", str(USERS), "--run-time", f"{RUN_CEILING_S}s",
         "--pacing", "unpaced", "--seed", "7", "--csv", str(tmp_path / "run")],
        env={"CLIENTSVIA_TWILIO_AUTH_TOKEN": AUTH_TOKEN},
    )
    stopper.join()

    assert code == 0, capfd.readouterr().err[-3000:]
    rows = {(r["Type"], r["Name"]): r for r in csv.DictReader(stats.open())}
    for kind in KINDS:
        row = rows[("twilio", kind)]
        assert int(row["Request Count"]) > 0 and row["Failure Count"] == "0", (kind, row)
    calls = [row for (kind, _), row in rows.items() if kind == "call"]
    assert sum(int(row["Request Count"]) for row in calls) > 3
    assert all(row["Failure Count"] == "0" for row in calls)
    assert stub_server.refused == 0 and "completed" in stub_server.statuses
    summary = capfd.readouterr().out.split("reusing 3 tenants")[1].splitlines()
    assert any(line.split()[:2] == ["twilio", "turn"] for line in summary)
