"""The lean shortcut for a call's routes answers exactly what the full FastAPI stack answers.

Plain requests of a lean route skip the middleware (seen here by a marker middleware that
only the full stack passes); every other shape (a too-long path parameter, a wrong
method, an oversized or chunked body) takes the full stack. On the real app, each Twilio
voice route gives the same status, headers and body either way.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI, Path, Request, Response
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from twilio.request_validator import RequestValidator

from runtime.actors.messages import AgentReply, CallSetup, Utterance
from runtime.audio_http import CLIENT_CACHE_CONTROL, LIFETIME_HEADER
from runtime.providers.audio_store import AUDIO_TTL_S
from runtime.serve.app import create_api
from runtime.serve.errors import ApiError, install_error_handlers
from runtime.serve.lean_routes import LeanApi, LeanRoute, NotLean
from runtime.serve.services import Services
from runtime.settings import Settings
from tenancy.models import CompanyProfile
from tests.serve_fixtures import (
    PLATFORM_TWILIO_TOKEN,
    PUBLIC_BASE_URL,
    new_company_body,
    unique_number,
)

FULL_STACK = "x-full-stack"


class MarkFullStack:
    """Middleware: marks every response that went through the app's middleware stack."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def marked(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (FULL_STACK.encode(), b"1")]
            await send(message)

        await self.app(scope, receive, marked)


def full_stack_of(app: FastAPI) -> ASGIApp:
    """The same app without its shortcut: FastAPI's own entry point."""
    async def full(scope: Scope, receive: Receive, send: Send) -> None:
        await FastAPI.__call__(app, scope, receive, send)
    return full


def client_of(app: ASGIApp) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url=PUBLIC_BASE_URL)


def toy_app() -> LeanApi:
    app = LeanApi(max_body_size=100)
    install_error_handlers(app)
    router = APIRouter(prefix="/hooks")

    @router.post("/{name}/ping")
    async def ping(request: Request, name: str = Path(max_length=8)) -> Response:
        if name == "boom":
            raise RuntimeError("an unexpected failure")
        if name == "bad":
            raise ApiError(400, "BAD_NAME", "this name is refused")
        return PlainTextResponse(f"{name}:{len(await request.body())}")

    app.include_router(router)
    app.answer_lean(router.routes)
    app.add_middleware(MarkFullStack)
    return app


async def test_a_plain_request_skips_the_stack_and_gets_the_handlers_answer():
    async with client_of(toy_app()) as client:
        response = await client.post("/hooks/abc/ping", content=b"xy")
    assert (response.status_code, response.text) == (200, "abc:2")
    assert FULL_STACK not in response.headers


async def chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


@pytest.mark.parametrize(("send", "status"), [
    (lambda c: c.post("/hooks/ninechars/ping", content=b"x"), 422),  # past max_length
    (lambda c: c.get("/hooks/abc/ping"), 405),
    (lambda c: c.post("/hooks/abc/ping", content=chunks(b"x", b"y")), 200),  # chunked
    (lambda c: c.post("/hooks/abc/ping/", content=b"x"), 307),  # Starlette's slash redirect
])
async def test_every_other_shape_takes_the_full_stack(
        send: Callable[[httpx.AsyncClient], object], status: int):
    async with client_of(toy_app()) as client:
        response = await send(client)  # type: ignore[misc]
    assert response.status_code == status, response.text
    assert response.headers[FULL_STACK] == "1"


async def test_a_body_past_the_limit_is_refused_by_the_stack():
    """(FastAPI's body limit sits outside the app's own middleware, so no marker.)"""
    async with client_of(toy_app()) as client:
        response = await client.post("/hooks/abc/ping", content=b"x" * 101)
    assert response.status_code == 413


@pytest.mark.parametrize(("name", "status", "error"), [
    ("bad", 400, "BAD_NAME"), ("boom", 500, "INTERNAL_ERROR")])
async def test_a_failing_handler_answers_what_the_apps_error_handlers_answer(
        name: str, status: int, error: str):
    app = toy_app()
    async with client_of(app) as lean, client_of(full_stack_of(app)) as full:
        short = await lean.post(f"/hooks/{name}/ping", content=b"x")
        long = await full.post(f"/hooks/{name}/ping", content=b"x")
    assert FULL_STACK not in short.headers  # (a 500 leaves the stack past the marker)
    assert (short.status_code, short.json()) == (long.status_code, long.json())
    assert short.status_code == status and short.json()["error"] == error


class Body(BaseModel):
    text: str


async def takes_a_query(request: Request, page: int = 1) -> Response:
    return Response()


async def takes_a_body(request: Request, body: Body) -> Response:
    return Response()


async def takes_a_dependency(request: Request, user: str = Depends(lambda: "x")) -> Response:
    return Response()


async def takes_an_unbounded_name(request: Request, name: str) -> Response:
    return Response()


async def takes_bytes(request: Request, n: bytes = Path(max_length=9)) -> Response:
    return Response()


async def never_sees_the_request(name: str = Path(max_length=8)) -> Response:
    return Response()


async def takes_a_bounded_name(request: Request, name: str = Path(max_length=8)) -> Response:
    return Response()


@pytest.mark.parametrize(("path", "endpoint"), [
    ("/things", takes_a_query), ("/things", takes_a_body), ("/things", takes_a_dependency),
    ("/things/{name}", takes_an_unbounded_name), ("/things/{n}", takes_bytes),
    ("/things/{name}", never_sees_the_request)])
def test_a_route_with_inputs_the_shortcut_would_skip_is_refused(path, endpoint):
    router = APIRouter()
    router.post(path)(endpoint)
    router.post("/things/{name}/ok")(takes_a_bounded_name)
    refused, lean = router.routes
    with pytest.raises(NotLean):
        LeanRoute.of(refused)  # type: ignore[arg-type]
    assert LeanRoute.of(lean).max_lengths == {"name": 8}  # type: ignore[arg-type]


async def test_under_a_root_path_the_stack_routes():
    transport = httpx.ASGITransport(app=toy_app(), root_path="/hooks")
    async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_BASE_URL) as client:
        response = await client.post("/hooks/abc/ping", content=b"x")
    assert (response.status_code, response.headers[FULL_STACK]) == (404, "1")


# --- the real app -----------------------------------------------------------------------


class AnsweringGateway:
    """Stands in for the call actors: a call is greeted, a turn answered, an end noted."""

    async def start_call(self, setup: CallSetup, forward_to: str | None = None) -> AgentReply:
        return AgentReply(call_sid=setup.call_sid, utterances=(Utterance("Hello!"),),
                          action={"type": "Listen"})

    async def turn(self, company_id: str, call_sid: str, *_: object) -> AgentReply:
        return AgentReply(call_sid=call_sid, utterances=(Utterance("Yes, we do."),),
                          action={"type": "Listen"})

    async def end_call(self, *_: object) -> None:
        return None


@pytest.fixture
async def app(redis_url: str, tmp_path) -> AsyncIterator[tuple[FastAPI, Services]]:
    settings = Settings(redis_url=redis_url, jwt_secret="lean-routes-jwt-secret-0123456789abcdef",
                        clientsvia_secret_key="lean-routes-secret-key-0123456789",
                        public_base_url=PUBLIC_BASE_URL, provider_mode="doubles",
                        twilio_auth_token=PLATFORM_TWILIO_TOKEN, parquet_root=str(tmp_path),
                        bcrypt_rounds=4)
    services = Services.from_settings(settings)
    services._calls = AnsweringGateway()  # type: ignore[assignment]
    api = create_api(services)
    api.add_middleware(MarkFullStack)
    yield api, services
    await services.close()


def signed(token: str, path: str, form: dict[str, str]) -> dict[str, str]:
    return {"X-Twilio-Signature": RequestValidator(token).compute_signature(
        PUBLIC_BASE_URL + path, form)}


async def test_each_call_route_answers_the_same_lean_or_through_the_stack(app):
    api, services = app
    body = new_company_body("Lean HVAC", numbers=(unique_number(),))
    token = body["twilioConfig"]["authToken"]
    company = await services.registry.create(CompanyProfile.model_validate(body))
    audio = await services.audio.put(b"RIFF-not-really-a-wav")
    sid = "CA" + secrets.token_hex(16)
    form = {"CallSid": sid, "CallStatus": "in-progress",
            "SpeechResult": "Do you service heat pumps?", "From": unique_number(),
            "To": body["twilioConfig"]["phoneNumbers"][0]["phoneNumber"]}
    calls = f"/api/twilio/calls/{company.id}"
    requests = [  # method, path, form, signed with, status
        ("POST", f"/api/twilio/webhook/{company.id}", form, token, 200),
        ("POST", f"{calls}/turn", form, token, 200),
        ("POST", f"{calls}/turn", form, None, 403),  # unsigned
        ("POST", f"{calls}/turn", form, PLATFORM_TWILIO_TOKEN, 403),  # not its token
        ("POST", f"{calls}/turn", {**form, "CallSid": "CA123"}, token, 400),
        ("POST", f"/api/twilio/calls/{'f' * 24}/turn", form, PLATFORM_TWILIO_TOKEN, 404),
        ("POST", f"/api/twilio/status/{company.id}", {**form, "CallStatus": "completed"},
         token, 200),
        ("GET", f"/api/twilio/audio/{audio}.wav", None, None, 200),
        ("GET", f"/api/twilio/audio/{'A' * 32}.wav", None, None, 404),  # expired
        ("GET", "/api/twilio/audio/bad!token.wav", None, None, 404),
    ]
    async with client_of(api) as lean, client_of(full_stack_of(api)) as full:
        for method, path, params, signer, status in requests:
            headers = signed(signer, path, params) if signer and params else {}
            answers = [await client.request(method, path, data=params, headers=headers)
                       for client in (lean, full)]
            short, long = answers
            assert FULL_STACK not in short.headers and long.headers[FULL_STACK] == "1"
            assert short.status_code == long.status_code == status, (path, short.text)
            assert short.content == long.content, path
            assert short.headers["content-type"] == long.headers["content-type"], path


async def test_audio_is_cached_by_its_token_and_asked_again_with_a_304(app):
    api, services = app
    token = await services.audio.put(b"RIFF-a-greeting-said-on-every-call")
    path = f"/api/twilio/audio/{token}.wav"
    async with client_of(api) as lean, client_of(full_stack_of(api)) as full:
        for client in (lean, full):
            first = await client.get(path)
            assert first.status_code == 200 and first.content.startswith(b"RIFF")
            assert first.headers["etag"] == f'"{token}"'
            assert first.headers["cache-control"] == CLIENT_CACHE_CONTROL
            assert 0 < int(first.headers[LIFETIME_HEADER]) <= AUDIO_TTL_S  # for HAProxy's cache
            again = await client.get(path, headers={"If-None-Match": first.headers["etag"]})
            assert again.status_code == 304 and again.content == b""
            assert again.headers["etag"] == first.headers["etag"]
            other = await client.get(path, headers={"If-None-Match": '"someone-elses"'})
            assert other.status_code == 200 and other.content == first.content
