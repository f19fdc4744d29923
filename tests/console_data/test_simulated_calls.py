"""Test calls from the console: placed into the app in-process, signed as Twilio signs."""

from __future__ import annotations

import asyncio

import pytest
from fastapi import FastAPI, Request, Response
from twilio.request_validator import RequestValidator

from runtime.serve.app import create_api
from runtime.serve.console.data.simulated_calls import (
    MAX_LINES,
    SimulatedCallDesk,
    SimulatedCallRefused,
    SimulatedCallRequest,
    company_number,
)
from runtime.serve.services import Services
from runtime.settings import Settings
from tenancy.models import Company
from tenancy.models.company import TwilioConfig
from tenancy.users import Role
from tests.serve_fixtures import new_company_body, unique_number
from tests.twilio_webhooks import ALWAYS_OPEN


def test_caller_lines_one_per_line_blank_lines_skipped():
    request = SimulatedCallRequest.from_form("", "Do you fix heat pumps?\n\n  Thanks, bye \n")
    assert request.lines == ("Do you fix heat pumps?", "Thanks, bye")
    assert request.caller_number == "+12395550142"


@pytest.mark.parametrize(("number", "text"), [
    ("not a number", "hello"), ("+1239555", "x\n" * (MAX_LINES + 1)), ("", "x" * 301),
])
def test_bad_test_call_forms_are_refused_with_a_reason(number, text):
    with pytest.raises(SimulatedCallRefused):
        SimulatedCallRequest.from_form(number, text)


def test_the_call_rings_the_primary_number_else_the_company_phone():
    numbers = [{"phoneNumber": "+12395550101"}, {"phoneNumber": "+12395550102", "isPrimary": True}]
    company = Company.model_validate({"companyName": "A", "companyPhone": "+12395550199",
                                      "twilioConfig": {"phoneNumbers": numbers}})
    assert company_number(company) == "+12395550102"
    no_numbers = company.model_copy(update={"twilioConfig": TwilioConfig()})
    assert company_number(no_numbers) == "+12395550199"
    with pytest.raises(SimulatedCallRefused):
        company_number(Company(companyName="B"))


@pytest.mark.ray
async def test_a_test_call_reaches_the_webhooks_and_lands_in_the_call_log(api_server, call_pool):
    """The desk signs against PUBLIC_BASE_URL (not this process's address) with the company's
    own token, so a wrong signature or account would end the call before any turn."""
    with api_server.client(api_server.admin_token) as admin:
        body = {**new_company_body("Test Call Air", (unique_number(),)),
                "agentSetup": {"operatingHours": ALWAYS_OPEN}}
        created = admin.post("/api/company", json=body)
        assert created.status_code == 201, created.text
    company_id = created.json()["_id"]
    services = Services.from_settings(Settings(**api_server.settings))
    try:
        company = await services.registry.get(company_id)
        desk = SimulatedCallDesk(create_api(services), services.settings)
        lines = "Do you service heat pumps?\nThank you, goodbye"
        call_sid = await desk.place(company, SimulatedCallRequest.from_form("", lines))
        await desk.wait_idle()
    finally:
        await services.close()

    viewer = api_server.token(Role.COMPANY_VIEWER, company_id)
    with api_server.client(viewer) as client:
        for _ in range(120):  # the LogSink drains in the background
            logged = client.get(f"/api/company/{company_id}/call-logs/{call_sid}")
            if logged.status_code == 200:
                break
            await asyncio.sleep(0.5)
    assert logged.status_code == 200, logged.text
    said = [turn["callerText"] for turn in logged.json()["transcript"]]
    assert "Do you service heat pumps?" in said


def fake_twilio_app(public_base_url: str, token: str) -> FastAPI:
    """Answers the incoming call with a busy line, after checking the signature as ours does."""
    app = FastAPI()
    seen: list[str] = []

    @app.post("/api/twilio/webhook/{company_id}")
    async def incoming(request: Request, company_id: str) -> Response:
        form = dict(await request.form())
        url = public_base_url + request.url.path
        if not RequestValidator(token).validate(url, form, request.headers["X-Twilio-Signature"]):
            return Response(status_code=403)
        seen.append(str(form["From"]))
        return Response('<?xml version="1.0" encoding="UTF-8"?><Response><Say>All lines are '
                        "busy.</Say><Hangup/></Response>", media_type="application/xml")

    @app.post("/api/twilio/status/{company_id}")
    async def status(company_id: str) -> Response:
        return Response(status_code=204)

    app.state.seen = seen
    return app


async def test_what_the_caller_heard_is_kept_for_its_company_only():
    settings = Settings(jwt_secret="j" * 32, clientsvia_secret_key="k" * 32,
                        public_base_url="https://voice.example.test")
    token = "company-twilio-token-0001"
    company = Company.model_validate({"companyName": "Busy Air", "twilioConfig": {
        "authToken": token, "phoneNumbers": [{"phoneNumber": "+12395550101"}]}})
    app = fake_twilio_app(settings.public_base_url, token)
    desk = SimulatedCallDesk(app, settings)
    sid = await desk.place(company, SimulatedCallRequest.from_form("+12395550177", "Hello?"))
    await desk.wait_idle()
    assert app.state.seen == ["+12395550177"]  # signed over the public URL with its token
    heard = desk.heard(company.id, sid)
    assert heard is not None and heard.ended and not heard.problems
    assert heard.lines == [("Agent", "All lines are busy.")]
    assert desk.heard("f" * 24, sid) is None
