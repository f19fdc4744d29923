"""Texts the knowledge base cannot answer go to the language model, as on calls: signed
Twilio SMS webhooks into the whole app in process, its providers chosen from settings
(the offline doubles, so the model's answer is the scripted double's known reply).
A failing or hanging model gives the fallback line; an emergency never reaches the model;
each company's text carries its own facts and model, and no secret reaches the model or
the logs."""

from __future__ import annotations

import secrets
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from structlog.testing import capture_logs
from twilio.request_validator import RequestValidator

from runtime.conversation import ConversationState
from runtime.providers.base import LlmRequest
from runtime.providers.circuit import GuardedLanguageModel
from runtime.providers.doubles import ScriptedLanguageModel, default_reply
from runtime.serve.app import create_api
from runtime.serve.services import Services
from runtime.settings import Settings
from tenancy.models.company import PersonalityResponses
from tenancy.users import Role
from tests.serve_fixtures import (
    JWT_SECRET,
    PLATFORM_TWILIO_TOKEN,
    PUBLIC_BASE_URL,
    SECRET_KEY,
    unique_number,
)
from tests.twilio_webhooks import ALWAYS_OPEN

SMS = "/api/twilio/sms"
FINANCING = "Yes, we offer financing with approved credit."
UNKNOWN = "Can your technicians also look at my attic insulation?"
PLATFORM_GEMINI_KEY = "platform-gemini-key-" + secrets.token_hex(8)
CANT_UNDERSTAND = PersonalityResponses().cantUnderstand


class TextingApp:
    """The app in process and a platform admin's client to it."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self._transport = httpx.ASGITransport(app=create_api(services))

    def client(self, token: str | None = None) -> httpx.AsyncClient:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.AsyncClient(transport=self._transport, base_url="http://testserver",
                                 headers=headers)

    @property
    def admin_token(self) -> str:
        return self.services.tokens.mint("admin@test", Role.PLATFORM_ADMIN, None)

    @property
    def model(self) -> ScriptedLanguageModel:
        """The double behind the texts' guarded model (what it was asked)."""
        guarded = self.services.sms.llm
        assert isinstance(guarded, GuardedLanguageModel), "texts have no language model"
        assert isinstance(guarded.inner, ScriptedLanguageModel)
        return guarded.inner

    async def company(self, name: str, knowledge: list[tuple[str, str]],
                      twilio: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
        body = {"companyName": name, "companyPhone": unique_number(),
                "tradeCategories": ["HVAC"], "timezone": "America/New_York",
                "twilioConfig": {"phoneNumbers": [{"phoneNumber": unique_number(),
                                                   "isPrimary": True}], **(twilio or {})},
                "agentSetup": {"operatingHours": ALWAYS_OPEN}, **extra}
        async with self.client(self.admin_token) as admin:
            created = await admin.post("/api/company", json=body)
            assert created.status_code == 201, created.text
            company = created.json()
            base = f"/api/company/{company['_id']}"
            for question, answer in knowledge:
                added = await admin.post(f"{base}/knowledge",
                                         json={"question": question, "answer": answer})
                assert added.status_code == 201, added.text
            on_call = await admin.post(f"{base}/employees", json={
                "name": "Maria Lopez", "phone": unique_number(), "isOnCall": True})
            assert on_call.status_code == 201, on_call.text
        return {**company, "number": body["twilioConfig"]["phoneNumbers"][0]["phoneNumber"],
                "onCall": on_call.json()}

    async def text(self, company: dict[str, Any], customer: str, body: str,
                   twilio_token: str = PLATFORM_TWILIO_TOKEN, sid: str | None = None
                   ) -> list[str]:
        """Text the company as Twilio delivers it (signed with the token of the account
        the number is on); the TwiML's reply texts."""
        params = {"MessageSid": sid or "SM" + secrets.token_hex(16),
                  "AccountSid": "AC" + "1" * 32,
                  "From": customer, "To": company["number"], "Body": body, "NumMedia": "0"}
        signature = RequestValidator(twilio_token).compute_signature(
            PUBLIC_BASE_URL + SMS, params)
        async with self.client() as twilio:
            response = await twilio.post(SMS, data=params,
                                         headers={"X-Twilio-Signature": signature})
        assert response.status_code == 200, response.text
        return [m.text or "" for m in ET.fromstring(response.text).iter("Message")]

    async def thread(self, company: dict[str, Any], customer: str
                     ) -> tuple[list[tuple[str, str]], ConversationState]:
        """The thread's texts as the company sees them, and the policy state kept with it."""
        async with self.client(self.admin_token) as admin:
            seen = await admin.get(f"/api/company/{company['_id']}/sms-conversations/{customer}")
        assert seen.status_code == 200, seen.text
        stored = await self.services.registry.tenant(company["_id"]).sms.thread(customer)
        assert stored is not None and stored.policyState is not None
        texts = [(t["role"], t["text"]) for t in seen.json()["texts"]]
        return texts, ConversationState.from_dict(stored.policyState)


AppFactory = Callable[..., Any]


@pytest.fixture
def texting_app(redis_url: str, tmp_path) -> AppFactory:
    """`async with texting_app(llm_failure="error") as app`: the app with these doubles."""
    @asynccontextmanager
    async def started(llm_failure: str = "none") -> AsyncIterator[TextingApp]:
        settings = Settings(
            redis_url=redis_url, jwt_secret=JWT_SECRET, clientsvia_secret_key=SECRET_KEY,
            public_base_url=PUBLIC_BASE_URL, twilio_auth_token=PLATFORM_TWILIO_TOKEN,
            provider_mode="doubles", double_llm_failure=llm_failure,
            gemini_api_key=PLATFORM_GEMINI_KEY, embedding_model="hashed-words",
            parquet_root=str(tmp_path), bcrypt_rounds=4)
        services = Services.from_settings(settings)
        try:
            yield TextingApp(services)
        finally:
            await services.close()
    return started


def agent_history(state: ConversationState) -> list[str]:
    return [text for role, text in state.history if role == "agent"]


async def test_a_question_knowledge_cannot_answer_gets_the_models_answer(texting_app):
    async with texting_app() as app:
        company = await app.company("Insulated Air", [("Do you offer financing?", FINANCING)])
        customer = unique_number()
        assert await app.text(company, customer, "Do you offer financing?") == [FINANCING]
        assert app.model.requests == []  # knowledge answered: no model call paid for
        sid = "SM" + secrets.token_hex(16)
        assert await app.text(company, customer, UNKNOWN, sid=sid) == [default_reply(UNKNOWN)]
        # Twilio retries the webhook: the same reply again, the model not paid for twice
        assert await app.text(company, customer, UNKNOWN, sid=sid) == [default_reply(UNKNOWN)]

        [request] = app.model.requests
        assert "answering a customer's text message" in request.system_prompt
        assert "Q: Do you offer financing?" in request.system_prompt
        assert [(m.role, m.text) for m in request.history] == [
            ("caller", "Do you offer financing?"), ("agent", FINANCING), ("caller", UNKNOWN)]
        texts, state = await app.thread(company, customer)
        assert texts == [("customer", "Do you offer financing?"), ("agent", FINANCING),
                         ("customer", UNKNOWN), ("agent", default_reply(UNKNOWN))]
        assert agent_history(state) == [FINANCING, default_reply(UNKNOWN)]
        assert state.consecutive_misses == 0


@pytest.mark.parametrize("failure", ["error", "hang"])
async def test_a_failing_or_hanging_model_gives_the_fallback_line(texting_app, failure):
    async with texting_app(llm_failure=failure) as app:
        company = await app.company("Broken Model Air", [])
        customer = unique_number()
        [reply] = await app.text(company, customer, UNKNOWN)
        assert reply in CANT_UNDERSTAND
        assert len(app.model.requests) == 1  # the model was asked, and failed
        texts, state = await app.thread(company, customer)
        assert texts == [("customer", UNKNOWN), ("agent", reply)]
        assert agent_history(state) == [reply] and state.consecutive_misses == 1


async def test_an_emergency_text_alerts_on_call_without_asking_the_model(texting_app):
    async with texting_app() as app:
        company = await app.company("Gas Safe Air", [])
        customer = unique_number()
        [reply] = await app.text(company, customer, "Help, I smell gas in my kitchen")
        assert reply.startswith("If you smell gas") and "on-call team" in reply
        assert app.model.requests == []
        store = app.services.registry.tenant(company["_id"])
        alerts = [(n.reason, n.to) for n in await store.notifications.list()
                  if n.channel == "sms"]
        assert alerts == [("emergency", company["onCall"]["phone"])]
        [message] = await store.messages.list()
        assert message.urgent and message.source == "sms"
        texts, _ = await app.thread(company, customer)
        assert texts == [("customer", "Help, I smell gas in my kitchen"), ("agent", reply)]


async def test_each_companys_text_carries_its_own_facts_and_model_and_no_secret(texting_app):
    secret_values = {
        "north": ("twilio-auth-" + secrets.token_hex(12), "el-key-" + secrets.token_hex(12)),
        "south": ("twilio-auth-" + secrets.token_hex(12), "el-key-" + secrets.token_hex(12)),
    }

    async with texting_app() as app:
        companies = {}
        for name, model, fee in (("north", "gemini-2.5-flash", "North charges $79."),
                                 ("south", "gemini-3-flash", "South charges $129.")):
            token, voice_key = secret_values[name]
            companies[name] = await app.company(
                f"{name.title()} Heating", [("What is your trip fee?", fee)],
                twilio={"authToken": token},
                aiSettings={"model": model, "elevenLabs": {"apiKey": voice_key,
                                                           "useOwnApiKey": True}})
        with capture_logs() as logs:
            for name, company in companies.items():
                token = secret_values[name][0]
                assert await app.text(company, unique_number(), UNKNOWN, token) == [
                    default_reply(UNKNOWN)]
        north, south = app.model.requests
        assert (north.model, south.model) == ("gemini-2.5-flash", "gemini-3-flash")
        assert "North Heating" in north.system_prompt and "$79" in north.system_prompt
        assert "South" not in north.system_prompt and "$129" not in north.system_prompt
        assert "South Heating" in south.system_prompt and "$129" in south.system_prompt
        assert "North" not in south.system_prompt and "$79" not in south.system_prompt
        leaked = [value for value in (PLATFORM_GEMINI_KEY, *sum(secret_values.values(), ()))
                  if value in _everything(north, south, logs)]
        assert leaked == []


def _everything(north: LlmRequest, south: LlmRequest, logs: list[dict[str, Any]]) -> str:
    return repr((north, south, logs))
