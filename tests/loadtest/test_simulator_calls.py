"""Simulated Twilio calls against an in-test voice server that checks signatures like ours.

The server below plays the part of the runtime: it verifies `X-Twilio-Signature` against
its public URL, answers with TwiML built by the Twilio SDK and serves μ-law WAV audio.
Company ids in `/api/twilio/webhook/{id}` pick a misbehaviour to provoke.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import re
import struct
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
from fastapi import FastAPI, HTTPException, Request, Response
from twilio.request_validator import RequestValidator
from twilio.twiml.voice_response import Dial, VoiceResponse

from loadtest import call_cli
from loadtest.twilio_sim import (
    AgentPlayed,
    BadAudio,
    BadTwiML,
    CallerSilent,
    CallFlowError,
    DialOutcome,
    SimulatedCallError,
    Transferred,
    TwilioCallSimulator,
    WebhookFailed,
)

AUTH_TOKEN = "0123456789abcdef0123456789abcdef"
PUBLIC = "https://voice.example.com"
SERVER = "http://testserver"
COMPANY_NUMBER, CALLER, ON_CALL = "+12395550100", "+12395550199", "+12395550111"


def mulaw_wav(payload: bytes) -> bytes:
    """A WAV file as the runtime serves it: μ-law, 8 kHz, mono, with its fact chunk."""
    fmt = struct.pack("<HHIIHHH", 7, 1, 8000, 8000, 1, 8, 0)
    chunks = (
        b"fmt " + struct.pack("<I", len(fmt)) + fmt
        + b"fact" + struct.pack("<II", 4, len(payload))
        + b"data" + struct.pack("<I", len(payload)) + payload
    )  # fmt: skip
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WAVE" + chunks


GREETING_WAV = mulaw_wav(b"\xff" * 800)


@dataclass
class Hit:
    method: str
    path: str
    params: dict[str, str]


@dataclass
class VoiceServer:
    """What the server saw: every verified request, in order."""

    app: FastAPI
    hits: list[Hit] = field(default_factory=list)

    def paths(self) -> list[str]:
        return [hit.path for hit in self.hits]

    def hit(self, path: str) -> Hit:
        return next(hit for hit in self.hits if hit.path == path)


def twiml(response: VoiceResponse | str) -> Response:
    return Response(str(response), media_type="application/xml")


def build_voice_server() -> VoiceServer:
    app = FastAPI()
    server = VoiceServer(app)
    validator = RequestValidator(AUTH_TOKEN)

    async def verified(request: Request) -> dict[str, str]:
        query = f"?{request.url.query}" if request.url.query else ""
        params = dict(parse_qsl((await request.body()).decode(), keep_blank_values=True))
        signature = request.headers.get("X-Twilio-Signature", "")
        if not validator.validate(f"{PUBLIC}{request.url.path}{query}", params, signature):
            raise HTTPException(403, "invalid Twilio signature")
        server.hits.append(Hit(request.method, request.url.path, params))
        return params

    def greeting(turn_action: str) -> Response:
        response = VoiceResponse()
        gather = response.gather(input="speech", action=turn_action, speech_timeout="auto")
        gather.play("/audio/greeting.wav")
        response.say("Sorry, I did not hear anything. Goodbye.")
        response.hangup()
        return twiml(response)

    @app.post("/api/twilio/voice")
    async def incoming(request: Request) -> Response:
        await verified(request)
        return greeting("turn")

    @app.post("/api/twilio/turn")
    async def turn(request: Request) -> Response:
        speech = (await verified(request)).get("SpeechResult", "").lower()
        response = VoiceResponse()
        if "heat pump" in speech:
            response.say("Yes, we service heat pumps.")
            response.redirect("more?part=2")
        elif "person" in speech:
            dial = Dial(caller_id=COMPANY_NUMBER, action="after-dial", timeout=20)
            dial.number(ON_CALL)
            response.append(dial)
            response.say("Never reached: the Dial action decides what comes next.")
        elif not speech:
            response.say("Are you still there? Goodbye.")
            response.hangup()
        else:
            response.say("Goodbye!")
            response.hangup()
        return twiml(response)

    @app.post("/api/twilio/more")
    async def more(request: Request) -> Response:
        await verified(request)
        response = VoiceResponse()
        gather = response.gather(input="speech", action="turn", action_on_empty_result=True)
        gather.say("Anything else?")
        return twiml(response)

    @app.post("/api/twilio/after-dial")
    async def after_dial(request: Request) -> Response:
        status = (await verified(request))["DialCallStatus"]
        return twiml(f"<Response><Say>Transfer ended: {status}.</Say><Hangup/></Response>")

    @app.get("/audio/{name}")
    async def audio(name: str, request: Request) -> Response:
        await verified(request)
        if name == "song.mp3":
            return Response(b"ID3fake", media_type="audio/mpeg")
        if name == "fake.wav":
            return Response(b"not a riff file", media_type="audio/wav")
        return Response(GREETING_WAV, media_type="audio/wav")

    @app.post("/api/twilio/webhook/{company_id}")
    async def incoming_for_company(company_id: str, request: Request) -> Response:
        await verified(request)
        if company_id == "slow":
            await asyncio.sleep(5)
        return MISBEHAVIOURS.get(company_id) or greeting("../turn")

    @app.post("/api/twilio/status/{company_id}")
    async def status(company_id: str, request: Request) -> Response:
        await verified(request)
        return Response(status_code=204)

    return server


MISBEHAVIOURS = {
    "redirect-loop": twiml("<Response><Redirect>redirect-loop</Redirect></Response>"),
    "broken-xml": twiml("<Response><Say>unclosed</Response>"),
    "unknown-verb": twiml("<Response><Dance/></Response>"),
    "plain-text": Response("<Response><Hangup/></Response>", media_type="text/plain"),
    "server-error": Response("boom", status_code=500),
    "mp3-audio": twiml("<Response><Play>/audio/song.mp3</Play></Response>"),
    "fake-wav": twiml("<Response><Play>/audio/fake.wav</Play></Response>"),
    "host-header-url": twiml(f"<Response><Redirect>{SERVER}/api/twilio/x</Redirect></Response>"),
    "relay": twiml('<Response><Connect><ConversationRelay url="wss://x"/></Connect></Response>'),
    "reprompt-forever": twiml(
        '<Response><Gather input="speech" actionOnEmptyResult="true"/></Response>'
    ),
    "dial-no-action": twiml(
        f"<Response><Dial>{ON_CALL}</Dial><Say>Back with the agent.</Say></Response>"
    ),
    "reject-busy": twiml('<Response><Reject reason="busy"/></Response>'),
    "slow": twiml("<Response><Hangup/></Response>"),
}


@pytest.fixture
def voice_server() -> VoiceServer:
    return build_voice_server()


@pytest.fixture
async def http(voice_server: VoiceServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=voice_server.app)) as client:
        yield client


def simulator(http: httpx.AsyncClient, **options: Any) -> TwilioCallSimulator:
    return TwilioCallSimulator(SERVER, AUTH_TOKEN, public_base_url=PUBLIC, http=http, **options)


async def test_a_call_follows_gather_play_redirect_and_hangup(
    http: httpx.AsyncClient, voice_server: VoiceServer
) -> None:
    record = await simulator(http).place_call(
        to=COMPANY_NUMBER,
        from_=CALLER,
        utterances=["Do you service heat pumps?", "No, that's all, bye"],
        status_callback_url="/api/twilio/status/acme",
    )

    assert record.ok and record.ended_by == "hangup"
    assert record.caller_texts() == ["Do you service heat pumps?", "No, that's all, bye"]
    assert record.agent_texts() == ["Yes, we service heat pumps.", "Anything else?", "Goodbye!"]
    (greeting,) = record.plays
    assert greeting == AgentPlayed(
        f"{PUBLIC}/audio/greeting.wav",
        len(GREETING_WAV),
        greeting.fetch_seconds,
        "audio/wav",
        "mulaw",
        8000,
    )
    assert record.heard_audio and record.heard_say
    assert [r.kind for r in record.requests] == ["setup", "gather", "redirect", "gather", "status"]
    assert record.setup_seconds is not None and len(record.turn_seconds) == 3
    assert voice_server.paths() == [
        "/api/twilio/voice",
        "/audio/greeting.wav",
        "/api/twilio/turn",
        "/api/twilio/more",
        "/api/twilio/turn",
        "/api/twilio/status/acme",
    ]


async def test_requests_carry_twilio_parameters(
    http: httpx.AsyncClient, voice_server: VoiceServer
) -> None:
    record = await simulator(http).place_call(
        to=COMPANY_NUMBER, from_=CALLER, utterances=["bye"], company_id="acme"
    )

    setup = voice_server.hit("/api/twilio/webhook/acme")
    turn = voice_server.hit("/api/twilio/turn")
    status = voice_server.hit("/api/twilio/status/acme")
    assert re.fullmatch(r"CA[0-9a-f]{32}", record.call_sid)
    assert re.fullmatch(r"AC[0-9a-f]{32}", setup.params["AccountSid"])
    assert setup.params == {
        "CallSid": record.call_sid,
        "AccountSid": setup.params["AccountSid"],
        "From": CALLER,
        "To": COMPANY_NUMBER,
        "Caller": CALLER,
        "Called": COMPANY_NUMBER,
        "CallStatus": "ringing",
        "Direction": "inbound",
        "ApiVersion": "2010-04-01",
    }
    assert turn.params["CallStatus"] == "in-progress"
    assert (turn.params["SpeechResult"], turn.params["Confidence"]) == ("bye", "0.90")
    assert status.params["CallStatus"] == "completed"
    assert status.params["CallDuration"].isdigit()
    assert status.params["CallSid"] == record.call_sid


@pytest.mark.parametrize(
    ("outcome", "answered"), [("busy", False), ("no-answer", False), ("completed", True)]
)
async def test_a_transfer_posts_its_outcome_to_the_dial_action(
    http: httpx.AsyncClient, voice_server: VoiceServer, outcome: DialOutcome, answered: bool
) -> None:
    record = await simulator(http).place_call(
        to=COMPANY_NUMBER,
        from_=CALLER,
        utterances=["Can I talk to a person?"],
        dial_outcome=outcome,
    )

    assert record.transfers == [Transferred((ON_CALL,), COMPANY_NUMBER, outcome)]
    assert record.agent_texts() == [f"Transfer ended: {outcome}."]
    dial_action = voice_server.hit("/api/twilio/after-dial").params
    assert dial_action["DialCallStatus"] == outcome
    assert (dial_action["DialCallDuration"] != "0") is answered
    assert ("DialCallSid" in dial_action) is answered
    assert record.status_callback_url is None  # /voice with no company: none configured


async def test_a_dial_without_action_goes_on_with_the_next_verbs(http: httpx.AsyncClient) -> None:
    record = await simulator(http).place_call(
        to=COMPANY_NUMBER, from_=CALLER, utterances=[], company_id="dial-no-action"
    )

    assert record.ok and len(record.transfers) == 1
    assert record.agent_texts() == ["Back with the agent."]
    assert record.ended_by == "hangup"


async def test_silence_goes_on_past_a_gather_or_posts_an_empty_result(
    http: httpx.AsyncClient, voice_server: VoiceServer
) -> None:
    record = await simulator(http).place_call(
        to=COMPANY_NUMBER, from_=CALLER, utterances=["heat pumps?"]
    )

    # At the greeting's Gather the caller spoke; at "Anything else?" (actionOnEmptyResult)
    # the silence is posted without a SpeechResult.
    assert record.agent_texts()[-1] == "Are you still there? Goodbye."
    assert "SpeechResult" not in voice_server.hits[-1].params
    silent = await simulator(http).place_call(to=COMPANY_NUMBER, from_=CALLER, utterances=[])
    assert silent.agent_texts() == ["Sorry, I did not hear anything. Goodbye."]
    assert any(isinstance(event, CallerSilent) for event in silent.events)


async def test_a_wrong_auth_token_surfaces_the_servers_403(
    http: httpx.AsyncClient, voice_server: VoiceServer
) -> None:
    impostor = TwilioCallSimulator(SERVER, "f" * 32, public_base_url=PUBLIC, http=http)

    with pytest.raises(WebhookFailed, match="HTTP 403") as raised:
        await impostor.place_call(to=COMPANY_NUMBER, from_=CALLER, utterances=["hello"])

    assert raised.value.record is not None and raised.value.record.ended_by == "error"
    assert voice_server.hits == []


async def test_signing_the_internal_url_instead_of_the_public_one_is_refused(
    http: httpx.AsyncClient,
) -> None:
    unaware = TwilioCallSimulator(SERVER, AUTH_TOKEN, http=http, raise_on_error=False)

    record = await unaware.place_call(to=COMPANY_NUMBER, from_=CALLER, utterances=[])

    assert [type(error) for error in record.errors] == [WebhookFailed]
    assert record.requests[0].status_code == 403


@pytest.mark.parametrize(
    ("company_id", "error", "message"),
    [
        ("mp3-audio", BadAudio, "'audio/mpeg', not audio/wav"),
        ("fake-wav", BadAudio, "not a RIFF/WAVE file"),
        ("broken-xml", BadTwiML, "not XML"),
        ("unknown-verb", BadTwiML, "unknown or unsupported verb <Dance>"),
        ("plain-text", BadTwiML, "Content-Type 'text/plain'"),
        ("server-error", WebhookFailed, "HTTP 500"),
        ("redirect-loop", CallFlowError, "more than 10 redirects in a row"),
        ("host-header-url", CallFlowError, "outside the public base URL"),
        ("relay", CallFlowError, "needs a WebSocket transport"),
    ],
)
async def test_what_twilio_would_refuse_is_flagged_and_the_call_still_completes(
    http: httpx.AsyncClient,
    voice_server: VoiceServer,
    company_id: str,
    error: type[SimulatedCallError],
    message: str,
) -> None:
    record = await simulator(http, raise_on_error=False).place_call(
        to=COMPANY_NUMBER, from_=CALLER, utterances=["hello"], company_id=company_id
    )

    assert [type(e) for e in record.errors] == [error]
    assert message in str(record.errors[0])
    assert record.ended_by == "error"
    assert voice_server.hits[-1].path == f"/api/twilio/status/{company_id}"
    assert voice_server.hits[-1].params["CallStatus"] == "completed"


async def test_a_redirect_loop_is_cut_after_ten_redirects(
    http: httpx.AsyncClient, voice_server: VoiceServer
) -> None:
    with pytest.raises(CallFlowError):
        await simulator(http).place_call(
            to=COMPANY_NUMBER, from_=CALLER, utterances=[], company_id="redirect-loop"
        )

    assert voice_server.paths().count("/api/twilio/webhook/redirect-loop") == 11


async def test_a_server_that_reprompts_forever_is_bounded(http: httpx.AsyncClient) -> None:
    with pytest.raises(CallFlowError, match="more than 5 TwiML requests"):
        await simulator(http, max_twiml_requests=5).place_call(
            to=COMPANY_NUMBER, from_=CALLER, utterances=[], company_id="reprompt-forever"
        )


async def test_an_answer_later_than_the_response_limit_is_an_error(
    http: httpx.AsyncClient,
) -> None:
    with pytest.raises(WebhookFailed, match="within Twilio's 0.05 s"):
        await simulator(http, response_limit_s=0.05).place_call(
            to=COMPANY_NUMBER, from_=CALLER, utterances=[], company_id="slow"
        )


async def test_a_busy_reject_reports_a_busy_unanswered_call(
    http: httpx.AsyncClient, voice_server: VoiceServer
) -> None:
    record = await simulator(http).place_call(
        to=COMPANY_NUMBER, from_=CALLER, utterances=["hello"], company_id="reject-busy"
    )

    assert record.ok and record.ended_by == "hangup" and record.caller_texts() == []
    status = voice_server.hit("/api/twilio/status/reject-busy").params
    assert (status["CallStatus"], status["CallDuration"]) == ("busy", "0")


async def test_a_live_call_is_driven_one_caller_action_at_a_time(
    http: httpx.AsyncClient, voice_server: VoiceServer
) -> None:
    call = await simulator(http).start(to=COMPANY_NUMBER, from_=CALLER, company_id="acme-live")
    assert call.awaiting_speech and call.record.heard_audio

    turn = await call.speak("Do you service heat pumps?")

    assert [getattr(event, "text", None) for event in turn if hasattr(event, "text")] == [
        "Do you service heat pumps?",
        "Yes, we service heat pumps.",
        "Anything else?",
    ]
    record = await call.hang_up()
    assert record.ended_by == "caller" and call.ended and not call.awaiting_speech
    assert voice_server.hit("/api/twilio/status/acme-live").params["CallStatus"] == "completed"
    with pytest.raises(RuntimeError, match="not waiting for the caller"):
        await call.speak("hello?")


def call_command(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="clientsvia call")
    call_cli.add_arguments(parser)
    common = ["--base-url", SERVER, "--public-base-url", PUBLIC, "--to", COMPANY_NUMBER]
    return parser.parse_args([*common, "--from", CALLER, *argv])


async def test_the_call_command_prints_the_conversation(http: httpx.AsyncClient) -> None:
    out = io.StringIO()
    args = call_command("--company-id", "acme", "--say", "heat pumps?", "--say", "a person")
    args.auth_token = AUTH_TOKEN  # as the clientsvia entry point would from its settings

    assert await call_cli.run(args, out, http=http) == 0

    lines = out.getvalue().splitlines()
    assert re.fullmatch(rf"call CA[0-9a-f]{{32}} from \{CALLER} to \{COMPANY_NUMBER}", lines[0])
    setup = rf"  \[setup [\d.]+ ms\] POST {PUBLIC}/api/twilio/webhook/acme -> 200"
    assert re.fullmatch(setup, lines[1])
    plays = f"  agent:  (plays {PUBLIC}/audio/greeting.wav: {len(GREETING_WAV)} bytes mulaw 8000 Hz"
    assert lines[2].startswith(plays + ", fetched in ")
    conversation = [line.strip() for line in lines[3:] if line.startswith("  ") and "[" not in line]
    assert conversation == [
        "caller: heat pumps?",
        "agent:  Yes, we service heat pumps.",
        f"-> redirect to {PUBLIC}/api/twilio/more?part=2",
        "agent:  Anything else?",
        "caller: a person",
        f"-> transfer to {ON_CALL} (caller id {COMPANY_NUMBER}): no-answer",
        "agent:  Transfer ended: no-answer.",
    ]
    assert re.fullmatch(r"ended by hangup; setup [\d.]+ ms; 4 turn requests, median .*", lines[-1])


async def test_the_call_command_fails_when_the_call_fails(http: httpx.AsyncClient) -> None:
    out = io.StringIO()

    code = await call_cli.run(call_command("--auth-token", "f" * 32), out, http=http)

    assert code == 1
    assert "ERROR: " in out.getvalue() and "HTTP 403" in out.getvalue()
    assert "no status callback sent" in out.getvalue()


async def test_the_call_command_needs_a_token_to_sign_with(http: httpx.AsyncClient) -> None:
    out = io.StringIO()

    assert await call_cli.run(call_command("--say", "hi"), out, http=http) == 2
    assert "--auth-token is required" in out.getvalue()
