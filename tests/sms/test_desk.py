"""Texts answered by the SMS desk over a real Redis: once per MessageSid, opt-out keywords,
staff alerts through the outbox, booking by text, the reply limits and long replies, and
the language model: Gemini's request for a text, its answer within the reply limits and
the time left of the webhook."""

from __future__ import annotations

import asyncio
import dataclasses
import secrets

import pytest
import redis.asyncio as aioredis
from google.genai import errors, types

from runtime.conversation import TurnBudget
from runtime.notifications.text_limits import TEXT_WINDOW_S, TextCaps, TextLimits
from runtime.providers.base import LanguageModel
from runtime.providers.calendar_factory import CalendarConfig
from runtime.providers.circuit import CircuitBreaker, GuardedLanguageModel
from runtime.providers.doubles import ScriptedLanguageModel, ScriptRule
from runtime.providers.embedding_doubles import HashedWordsEmbedder
from runtime.providers.gemini import GeminiLanguageModel
from runtime.providers.notify import SMS_MAX_BODY
from runtime.sms.desk import (
    MAX_REPLY_TEXTS,
    REPLY_WITHIN_S,
    InboundText,
    SmsDesk,
    reply_texts,
    text_budget,
)
from runtime.window_counter import WindowCounter
from tenancy.models import QnAFields, utc_now
from tenancy.models.messages import Notification
from tenancy.registry import CompanyRegistry
from tenancy.secrets import SecretBox
from tests.notifications.outbox_fixtures import KEY, fresh_outbox, outgoing, staffed_company
from tests.providers.test_providers_gemini import FakeClient, FakeModels, chunk
from tests.serve_fixtures import unique_number
from tests.twilio_webhooks import ALWAYS_OPEN


@pytest.fixture
def registry(redis_async: aioredis.Redis) -> CompanyRegistry:
    return CompanyRegistry(redis_async, SecretBox(KEY))


@pytest.fixture
async def company(registry):
    store = await staffed_company(registry, messages={"email": False, "officeEmail": False})
    document = await registry.patch(store.company_id, {
        "agentSetup": {"operatingHours": ALWAYS_OPEN}, "companyPhone": "+12395550100"})
    await store.knowledge.add(QnAFields(question="Do you offer financing?",
                                        answer="Yes, financing with approved credit."))
    return document


def desk_for(registry, redis, outbox, per_number: int = 30,
             llm: LanguageModel | None = None, **options) -> SmsDesk:
    limits = TextLimits(WindowCounter(redis, TEXT_WINDOW_S), TextCaps(per_number, 500))
    return SmsDesk(registry, HashedWordsEmbedder(), CalendarConfig(mode="doubles"), limits,
                   outbox, llm=llm, **options)


def text(company, body: str, customer: str, sid: str | None = None) -> InboundText:
    return InboundText(sid or "SM" + secrets.token_hex(16), customer,
                       company.phone_numbers()[0], body)


async def test_a_retried_webhook_is_answered_once_and_alerts_the_staff_once(
        registry, redis_async, company):
    outbox, customer = fresh_outbox(), unique_number()
    desk = desk_for(registry, redis_async, outbox)
    first = text(company, "Can I talk to a person please?", customer)
    replies = await desk.answer(company, first)
    assert replies == await desk.answer(company, first)  # Twilio retried the webhook
    assert "get back to you" in replies[0]
    store = registry.tenant(company.id)
    [message] = await store.messages.list()
    assert (message.source, message.callSid, message.callerNumber) == ("sms", first.message_sid,
                                                                      customer)
    [alert] = await store.notifications.list()
    assert (alert.reason, alert.channel) == ("sms_handoff", "sms")
    thread = await store.sms.thread(customer)
    assert [t.role for t in thread.texts] == ["customer", "agent"]


async def test_two_texts_arriving_together_both_stay_in_the_thread(
        registry, redis_async, company):
    desk = desk_for(registry, redis_async, fresh_outbox())
    customer = unique_number()
    await asyncio.gather(*(desk.answer(company, text(company, body, customer))
                           for body in ("Do you offer financing?", "Are you licensed?")))
    thread = await registry.tenant(company.id).sms.thread(customer)
    assert sorted(t.text for t in thread.texts if t.role == "customer") == [
        "Are you licensed?", "Do you offer financing?"]
    assert len(thread.texts) == 4


async def test_stop_silences_every_text_until_start_and_help_names_the_company(
        registry, redis_async, company):
    outbox, customer = fresh_outbox(), unique_number()
    desk = desk_for(registry, redis_async, outbox)
    store = registry.tenant(company.id)
    assert await desk.answer(company, text(company, "Stop", customer)) == []
    assert await store.sms.opted_out(customer)
    assert await desk.answer(company, text(company, "Do you offer financing?", customer)) == []
    assert await desk.answer(company, text(company, "HELP", customer)) == []

    out = outgoing(redis_async, registry, outbox)  # a post-call text queued meanwhile
    await out.drain.ensure_group()
    queued = Notification(channel="sms", to=customer, body="Sorry we missed you",
                          reason="missed_call")
    await store.notifications.queue(queued, outbox)
    while await out.drain.run_once(block_ms=1):
        pass
    assert out.sms.sent == []
    refused = await store.notifications.get(queued.id)
    assert refused.status == "failed" and "opted out" in refused.lastError

    [back] = await desk.answer(company, text(company, "start", customer))
    assert "you will get our texts again" in back and not await store.sms.opted_out(customer)
    [help_reply] = await desk.answer(company, text(company, "help", customer))
    assert company.companyName in help_reply and "+12395550100" in help_reply
    [answer] = await desk.answer(company, text(company, "Do you offer financing?", customer))
    assert answer == "Yes, financing with approved credit."


async def test_advanced_opt_out_keywords_come_as_opt_out_type(registry, redis_async, company):
    desk = desk_for(registry, redis_async, fresh_outbox())
    customer = unique_number()
    custom = dataclasses.replace(text(company, "arret", customer), opt_out_type="STOP")
    assert await desk.answer(company, custom) == []
    assert await registry.tenant(company.id).sms.opted_out(customer)


async def test_yes_is_an_answer_unless_the_number_opted_out(registry, redis_async, company):
    desk = desk_for(registry, redis_async, fresh_outbox())
    customer = unique_number()
    [reply] = await desk.answer(company, text(company, "yes", customer))
    assert "you will get our texts again" not in reply


async def test_an_emergency_text_alerts_on_call_at_once(registry, redis_async, company):
    desk = desk_for(registry, redis_async, fresh_outbox())
    [reply] = await desk.answer(company, text(company, "I smell gas in my basement",
                                              unique_number()))
    assert reply.startswith("If you smell gas") and "on-call team" in reply
    store = registry.tenant(company.id)
    [message] = await store.messages.list()
    assert message.urgent
    on_call = [e.phone for e in await store.employees.list() if e.isOnCall]
    assert {(n.reason, n.to) for n in await store.notifications.list()
            if n.channel == "sms"} == {("emergency", on_call[0])}


async def test_a_visit_is_booked_by_text(registry, redis_async, company):
    desk = desk_for(registry, redis_async, fresh_outbox())
    customer = unique_number()
    replies = [await desk.answer(company, text(company, body, customer)) for body in (
        "I'd like to book a repair", "tomorrow afternoon", "the first", "Pat",
        "12 Palm Ave", "yes", "yes")]
    [booking] = await registry.tenant(company.id).bookings.upcoming_for(customer, utc_now())
    assert (booking.source, booking.customerPhone, booking.customerName) == (
        "sms", customer, "Pat")
    assert all(len(r) == 1 for r in replies), replies


async def test_replies_stop_at_the_hourly_cap_for_a_number(registry, redis_async, company):
    desk = desk_for(registry, redis_async, fresh_outbox(), per_number=2)
    customer = unique_number()
    answered = [await desk.answer(company, text(company, "Do you offer financing?", customer))
                for _ in range(4)]
    assert [len(r) for r in answered] == [1, 1, 0, 0]
    thread = await registry.tenant(company.id).sms.thread(customer)
    assert [t.role for t in thread.texts].count("customer") == 4


async def test_over_its_cap_a_number_costs_no_model_call_but_an_emergency_still_alerts(
        registry, redis_async, company):
    model = ScriptedLanguageModel([ScriptRule("attic", "We do attics.")])
    desk = desk_for(registry, redis_async, fresh_outbox(), per_number=1, llm=model)
    customer = unique_number()
    assert await desk.answer(company, text(company, "Can you insulate my attic?", customer)
                             ) == ["We do attics."]
    assert await desk.answer(company, text(company, "And my attic fan?", customer)) == []
    assert await desk.answer(company, text(company, "I smell gas in the attic", customer)
                             ) == []
    assert len(model.requests) == 1  # only the answer that could be sent was paid for
    store = registry.tenant(company.id)
    assert [n.reason for n in await store.notifications.list() if n.channel == "sms"] == [
        "emergency"]
    thread = await store.sms.thread(customer)
    assert [t.role for t in thread.texts] == ["customer", "agent", "customer", "customer"]


def test_a_long_reply_is_split_into_texts_and_trimmed_past_the_last() -> None:
    words = " ".join(f"word{i}" for i in range(2000))  # ~15,000 characters
    parts = reply_texts(words)
    assert len(parts) == MAX_REPLY_TEXTS and all(len(p) <= SMS_MAX_BODY for p in parts)
    assert parts[-1].endswith("…") and parts[0].startswith("word0 word1")
    assert reply_texts("short answer") == ["short answer"]


def gemini(models: FakeModels) -> GuardedLanguageModel:
    """The real Gemini client's code over a fake transport, behind the usual guard."""
    return GuardedLanguageModel(GeminiLanguageModel("unused", client=FakeClient(models)),
                                CircuitBreaker(5, 30.0))


async def test_a_text_asks_gemini_for_a_text_and_sends_its_answer(
        registry, redis_async, company):
    models = FakeModels([chunk({"text": "Yes, we insulate attics. "}),
                         chunk({"text": "Want a visit this week?"})])
    desk = desk_for(registry, redis_async, fresh_outbox(), llm=gemini(models))
    customer, question = unique_number(), "Can you insulate my attic too?"
    assert await desk.answer(company, text(company, question, customer)) == [
        "Yes, we insulate attics. Want a visit this week?"]
    [sent] = models.calls  # what the SDK would send, checked against its own types
    config = sent["config"]
    assert types.GenerateContentConfig.model_validate(config.model_dump()) == config
    assert sent["model"] == company.aiSettings.model
    assert "answering a customer's text message (SMS)" in config.system_instruction
    assert "stay on the line" in config.system_instruction  # only as what never to say
    assert "answering a live call" not in config.system_instruction
    assert [(c.role, [p.text for p in c.parts]) for c in sent["contents"]] == [
        ("user", [question])]
    [tool] = config.tools
    assert "transfer_call" in {d.name for d in tool.function_declarations}
    assert config.automatic_function_calling.disable is True


async def test_a_gemini_error_sends_the_fallback_line(registry, redis_async, company):
    quota = errors.ClientError(
        429, {"error": {"code": 429, "message": "quota", "status": "RESOURCE_EXHAUSTED"}})
    desk = desk_for(registry, redis_async, fresh_outbox(),
                    llm=gemini(FakeModels([], fail_with=quota)))
    customer = unique_number()
    [reply] = await desk.answer(company, text(company, "Can you insulate my attic?", customer))
    assert reply in company.personalityResponses.cantUnderstand
    thread = await registry.tenant(company.id).sms.thread(customer)
    assert [(t.role, t.text) for t in thread.texts][-1] == ("agent", reply)


async def test_a_long_model_answer_stays_within_the_reply_limits(
        registry, redis_async, company):
    rambling = " ".join(f"Sentence {i} about attic insulation." for i in range(400))
    model = ScriptedLanguageModel([ScriptRule("attic", rambling)])
    desk = desk_for(registry, redis_async, fresh_outbox(), llm=model)
    replies = await desk.answer(company, text(company, "Do you do attic work?", unique_number()))
    assert len(replies) == MAX_REPLY_TEXTS and all(len(r) <= SMS_MAX_BODY for r in replies)
    assert replies[0].startswith("Sentence 0 about attic insulation.")
    assert replies[-1].endswith("…")


async def test_a_text_that_waited_out_its_time_gets_the_fallback_not_the_model(
        registry, redis_async, company):
    """The desk reads its timer when the webhook arrives and again before asking the model:
    a text that spent `REPLY_WITHIN_S` (waiting for its thread's lock) leaves it no time."""
    def answered(waited_s: float):
        readings = iter((0.0, waited_s))
        model = ScriptedLanguageModel([ScriptRule("attic", "We do attics.")],
                                      first_token_s=0.05)
        desk = desk_for(registry, redis_async, fresh_outbox(), llm=model,
                        timer=lambda: next(readings))
        return desk.answer(company, text(company, "Can you insulate my attic?",
                                         unique_number()))

    assert await answered(1.0) == ["We do attics."]
    [late] = await answered(REPLY_WITHIN_S)
    assert late in company.personalityResponses.cantUnderstand


def test_the_model_gets_what_is_left_of_the_webhooks_time() -> None:
    calls = TurnBudget()
    assert text_budget(0.0) == calls  # a text nobody waited on: the call tier's budget
    late = text_budget(REPLY_WITHIN_S - 1.0)
    assert (late.first_token_s, late.total_s) == (1.0, 1.0)
    assert late.close_s == calls.close_s
    spent = text_budget(REPLY_WITHIN_S + 5.0)  # waited out its time: the fallback at once
    assert (spent.first_token_s, spent.total_s) == (0.0, 0.0)
    assert REPLY_WITHIN_S + calls.close_s < 15.0  # Twilio's wait for a webhook
