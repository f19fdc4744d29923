"""What a load report counts: each request of a caller action, failures blamed on their kind.

The locustfile turns `CallRecord.fetches_since` into Locust request events one to one, so
these tests hold the counting rules without starting Locust (whose import would
monkey-patch this test process).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI, Request, Response

from loadtest.call_record import BadAudio, BadTwiML, CallFlowError, RecordMark, WebhookFailed
from loadtest.twilio_sim import TwilioCallSimulator

AUTH_TOKEN = "0123456789abcdef0123456789abcdef"
SERVER = "http://voice.test"
WAV = b"RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x07\x00\x01\x00@\x1f\x00\x00" + bytes(12)
GATHER = '<Response><Gather input="speech" action="/turn/{mode}"><Play>/a.wav</Play></Gather>'


def xml(body: str) -> Response:
    return Response(body, media_type="application/xml")


def voice_app() -> FastAPI:
    """Answers by company id: the turn after the greeting misbehaves as the id says."""
    app = FastAPI()

    @app.post("/api/twilio/webhook/{mode}")
    async def incoming(mode: str) -> Response:
        if mode == "bad-audio":
            return xml('<Response><Gather input="speech"><Play>/a.mp3</Play></Gather></Response>')
        return xml(GATHER.format(mode=mode) + "</Response>")

    @app.post("/turn/{mode}")
    async def turn(mode: str, request: Request) -> Response:
        if mode == "slow":
            await asyncio.sleep(1)
        if mode == "broken":
            return xml("<Response><Say>unclosed</Response>")
        if mode == "loop":
            return xml("<Response><Redirect>/turn/loop</Redirect></Response>")
        return xml("<Response><Say>Bye</Say><Hangup/></Response>")

    @app.post("/api/twilio/status/{mode}")
    async def status(mode: str) -> Response:
        return Response(status_code=500 if mode == "status-down" else 204)

    @app.get("/a.wav")
    async def wav() -> Response:
        return Response(WAV, media_type="audio/wav")

    @app.get("/a.mp3")
    async def mp3() -> Response:
        return Response(b"ID3", media_type="audio/mpeg")

    return app


@pytest.fixture
async def simulator() -> AsyncIterator[TwilioCallSimulator]:
    transport = httpx.ASGITransport(app=voice_app())
    async with httpx.AsyncClient(transport=transport) as http:
        yield TwilioCallSimulator(
            SERVER, AUTH_TOKEN, http=http, raise_on_error=False, response_limit_s=0.3
        )


async def test_a_clean_call_counts_each_request_once_in_order(
    simulator: TwilioCallSimulator,
) -> None:
    call = await simulator.start(to="+12395550100", from_="+12395550199", company_id="fine")
    greeting = call.record.fetches_since(RecordMark(0, 0))
    mark = call.record.mark()
    await call.speak("that's all, bye")

    assert [(f.kind, f.error) for f in greeting] == [("setup", None), ("audio", None)]
    assert greeting[1].size == len(WAV) and greeting[1].url == f"{SERVER}/a.wav"
    turn = call.record.fetches_since(mark)
    assert [(f.kind, f.error) for f in turn] == [("gather", None), ("status", None)]
    assert all(f.seconds > 0 for f in greeting + turn)


async def test_a_broken_turn_is_one_failed_request_of_its_kind(
    simulator: TwilioCallSimulator,
) -> None:
    call = await simulator.start(to="+12395550100", from_="+12395550199", company_id="broken")
    mark = call.record.mark()
    await call.speak("do you service heat pumps?")

    fetches = call.record.fetches_since(mark)
    assert [(f.kind, type(f.error)) for f in fetches] == [
        ("gather", BadTwiML), ("status", type(None)),
    ]
    assert fetches[0].error is call.record.errors[0]


async def test_a_turn_slower_than_twilio_waits_fails_after_the_time_it_was_given(
    simulator: TwilioCallSimulator,
) -> None:
    call = await simulator.start(to="+12395550100", from_="+12395550199", company_id="slow")
    mark = call.record.mark()
    await call.speak("hello?")

    (status, timed_out) = call.record.fetches_since(mark)  # answered ones first
    assert (status.kind, status.error, timed_out.kind) == ("status", None, "gather")
    assert isinstance(timed_out.error, WebhookFailed)
    assert timed_out.seconds >= 0.3 and "within Twilio's 0.3 s" in str(timed_out.error)


async def test_bad_audio_redirect_loops_and_a_failed_status_are_each_blamed(
    simulator: TwilioCallSimulator,
) -> None:
    audio = await simulator.start(to="+1", from_="+2", company_id="bad-audio")
    loop = await simulator.start(to="+1", from_="+2", company_id="loop")
    await loop.speak("hi")
    status = await simulator.start(to="+1", from_="+2", company_id="status-down")
    await status.speak("bye")

    audio_fetches = audio.record.fetches_since(RecordMark(0, 0))
    assert [(f.kind, type(f.error)) for f in audio_fetches] == [
        ("setup", type(None)), ("status", type(None)), ("audio", BadAudio),
    ]
    loop_failures = [f for f in loop.record.fetches_since(RecordMark(0, 0)) if f.error]
    assert [(f.kind, type(f.error)) for f in loop_failures] == [(None, CallFlowError)]
    status_fetches = status.record.fetches_since(RecordMark(0, 0))
    assert [type(f.error) for f in status_fetches if f.kind == "status"] == [WebhookFailed]
    assert status.record.ended_by == "hangup"
