"""Texts answered by the SMS desk over a real Redis: once per MessageSid, opt-out keywords,
staff alerts through the outbox, booking by text, the reply limits and long replies."""

from __future__ import annotations

import asyncio
import dataclasses
import secrets

import pytest
import redis.asyncio as aioredis

from runtime.notifications.text_limits import TEXT_WINDOW_S, TextCaps, TextLimits
from runtime.providers.calendar_factory import CalendarConfig
from runtime.providers.embedding_doubles import HashedWordsEmbedder
from runtime.providers.notify import SMS_MAX_BODY
from runtime.sms.desk import MAX_REPLY_TEXTS, InboundText, SmsDesk, reply_texts
from runtime.window_counter import WindowCounter
from tenancy.models import QnAFields, utc_now
from tenancy.models.messages import Notification
from tenancy.registry import CompanyRegistry
from tenancy.secrets import SecretBox
from tests.notifications.outbox_fixtures import KEY, fresh_outbox, outgoing, staffed_company
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


def desk_for(registry, redis, outbox, per_number: int = 30) -> SmsDesk:
    limits = TextLimits(WindowCounter(redis, TEXT_WINDOW_S), TextCaps(per_number, 500))
    return SmsDesk(registry, HashedWordsEmbedder(), CalendarConfig(mode="doubles"), limits,
                   outbox)


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


def test_a_long_reply_is_split_into_texts_and_trimmed_past_the_last() -> None:
    words = " ".join(f"word{i}" for i in range(2000))  # ~15,000 characters
    parts = reply_texts(words)
    assert len(parts) == MAX_REPLY_TEXTS and all(len(p) <= SMS_MAX_BODY for p in parts)
    assert parts[-1].endswith("…") and parts[0].startswith("word0 word1")
    assert reply_texts("short answer") == ["short answer"]
