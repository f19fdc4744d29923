"""Post-call texts to the caller: only when the company wants them, once per call, held
through quiet hours, and never to a number that opted out."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import redis.asyncio as aioredis

from runtime.actors.call_record import CallRecord
from runtime.conversation import CallContext, TakeMessage
from runtime.conversation.outcome import Appointment
from runtime.notifications.inbox import keep_message
from runtime.notifications.post_call import (
    SUMMARY_TEXT_LIMIT,
    confirm_booking,
    is_missed,
    summary_text,
    text_after_call,
    text_back,
)
from tenancy.registry import CompanyRegistry
from tenancy.secrets import SecretBox
from tests.notifications.outbox_fixtures import KEY, fresh_outbox, outgoing, staffed_company
from tests.serve_fixtures import unique_number

ON = {"postCallTexts": {"enabled": True}}


@pytest.fixture
def registry(redis_async: aioredis.Redis) -> CompanyRegistry:
    return CompanyRegistry(redis_async, SecretBox(KEY))


def call(caller: str | None = None, sid: str = "CA" + "b" * 32) -> CallContext:
    return CallContext(call_sid=sid, caller_number=caller or unique_number(),
                       called_number="+12395550100", started_at=datetime.now(UTC))


async def company_with(registry, **changes):
    store = await staffed_company(registry)
    await registry.patch(store.company_id, changes)
    return store


async def drain_all(out) -> None:
    while await out.drain.run_once(block_ms=1):
        pass


def test_a_call_is_missed_when_the_agent_handled_nothing() -> None:
    assert is_missed(CallRecord())
    assert is_missed(CallRecord(next_turn=2))  # turns of misses and silence only
    for handled in ({"answered_by": "knowledge"}, {"transferred": True},
                    {"message_taken": True}, {"booked": True}):
        assert not is_missed(CallRecord(**handled))


async def test_a_missed_call_is_texted_back_once_when_the_company_wants_it(
        registry, redis_async):
    off, on = await staffed_company(registry), await company_with(registry, **ON)
    outbox = fresh_outbox()
    ctx = call()
    assert not await text_back(off, ctx, CallRecord(), outbox)  # default: off
    assert not await text_back(on, ctx, CallRecord(answered_by="knowledge"), outbox)
    assert await text_back(on, ctx, CallRecord(), outbox)
    assert not await text_back(on, ctx, CallRecord(), outbox)  # the end handled twice
    out = outgoing(redis_async, registry, outbox)
    await out.drain.ensure_group()
    await drain_all(out)
    [sent] = out.sms.sent
    assert sent.to == ctx.caller_number and "Sorry we missed you at Atlas Air" in sent.body
    [record] = await on.notifications.list()
    assert (record.reason, record.status) == ("missed_call", "sent")
    assert await off.notifications.list() == []


SUMMARY = ("Dana Wu (+12395550142) called about \u201cdo you offer financing?\u201d. Answered"
           " from the company's knowledge base.")


async def test_an_answered_call_is_summarized_once_only_when_the_company_wants_it(
        registry, redis_async):
    texts_on = await company_with(registry, **ON)  # summaries stay off by default
    summing = await company_with(registry, postCallTexts={"enabled": True, "summary": True})
    answered, outbox = CallRecord(answered_by="knowledge"), fresh_outbox()
    ctx = call()
    assert not await text_after_call(texts_on, ctx, answered, SUMMARY, outbox)
    assert not await text_after_call(summing, ctx, answered, "  ", outbox)  # nothing to say
    assert await text_after_call(summing, ctx, answered, SUMMARY, outbox)
    assert not await text_after_call(summing, ctx, answered, SUMMARY, outbox)  # ended twice
    out = outgoing(redis_async, registry, outbox)
    await out.drain.ensure_group()
    await drain_all(out)
    [sent] = out.sms.sent
    assert sent.to == ctx.caller_number
    assert sent.body == ('Thanks for calling Atlas Air: Dana Wu (+12395550142) called about'
                         ' "do you offer financing?". Answered from the company\'s knowledge'
                         " base. Reply STOP to opt out.")
    [record] = await summing.notifications.list()
    assert (record.reason, record.status) == ("summary", "sent")
    assert await texts_on.notifications.list() == []


async def test_the_settings_come_from_the_reader_given(registry):
    """A call actor reads the company through its views (`CompanyViews.company`)."""
    off, on = await staffed_company(registry), await company_with(registry, **ON)
    read_on, read_off = on.load_company, off.load_company
    assert await text_back(off, call(), CallRecord(), fresh_outbox(), read=read_on)
    assert not await text_after_call(on, call(), CallRecord(), SUMMARY, fresh_outbox(),
                                     read=read_off)


async def test_a_missed_call_gets_its_text_back_not_a_summary(registry):
    store = await company_with(registry, postCallTexts={"enabled": True, "summary": True})
    assert await text_after_call(store, call(), CallRecord(), SUMMARY, fresh_outbox())
    [record] = await store.notifications.list()
    assert record.reason == "missed_call"


async def test_a_long_summary_is_cut_to_one_text_in_plain_characters(registry):
    store = await staffed_company(registry)
    company = await store.load_company()
    rambling = "\u201cmy furnace " + "keeps banging and rattling " * 40 + "\u201d"
    body = summary_text(company, rambling)
    assert len(body) <= SUMMARY_TEXT_LIMIT and body.endswith("... Reply STOP to opt out.")
    assert body.isascii()  # GSM-7: no curly quotes or ellipsis character
    assert body.startswith('Thanks for calling Atlas Air: "my furnace keeps banging')


async def test_a_booking_is_confirmed_in_company_time(registry, redis_async):
    store = await company_with(registry, timezone="America/New_York", **ON)
    visit = Appointment("b" * 24, "Furnace repair", "2026-12-08T15:30:00+00:00")
    assert await confirm_booking(store, call(), visit, fresh_outbox())
    [record] = await store.notifications.list()
    assert record.reason == "booking_confirmation"
    assert ("Furnace repair visit is booked for Tuesday, December 8 at 10:30 AM"
            in record.body)
    cancelled = Appointment("b" * 24, "Furnace repair", visit.start, change="cancelled")
    assert not await confirm_booking(store, call(), cancelled, fresh_outbox())


async def test_quiet_hours_hold_a_post_call_text_until_they_end(registry):
    store = await company_with(registry, notificationSettings={"quietHours": {
        "enabled": True, "start": "00:00", "end": "24:00"}}, **ON)  # quiet around the clock
    quiet_off = await company_with(registry, **ON)
    for target in (store, quiet_off):
        assert await text_back(target, call(), CallRecord(), fresh_outbox())
    [held], [now] = await store.notifications.list(), await quiet_off.notifications.list()
    assert held.notBefore is not None and held.notBefore > datetime.now(UTC)
    assert now.notBefore is None


async def test_no_post_call_text_reaches_a_number_that_opted_out(registry, redis_async):
    store = await company_with(registry, **ON)
    caller = unique_number()
    await store.sms.opt_out(caller)
    outbox = fresh_outbox()
    assert await text_back(store, call(caller), CallRecord(), outbox)
    out = outgoing(redis_async, registry, outbox)
    await out.drain.ensure_group()
    await drain_all(out)
    assert out.sms.sent == []
    [record] = await store.notifications.list()
    assert record.status == "failed" and "opted out" in record.lastError


async def test_a_flood_from_one_company_stops_at_its_hourly_cap(registry, redis_async):
    store = await company_with(registry, **ON)
    outbox = fresh_outbox()
    for index in range(4):
        assert await text_back(store, call(sid=f"CA{index:032x}"), CallRecord(), outbox)
    out = outgoing(redis_async, registry, outbox, company_texts_per_hour=3)
    await out.drain.ensure_group()
    await drain_all(out)
    assert len(out.sms.sent) == 3
    [limited] = [n for n in await store.notifications.list() if n.status == "failed"]
    assert "texts from this company this hour" in limited.lastError


async def test_a_flood_of_caller_texts_never_silences_the_on_call_alert(registry, redis_async):
    """The company's hourly cap is spent on text-backs (a storm of missed calls); the
    emergency text to the on-call tech still goes, limited only per number."""
    store = await company_with(registry, **ON)
    outbox = fresh_outbox()
    for index in range(4):
        assert await text_back(store, call(sid=f"CA{index:032x}"), CallRecord(), outbox)
    urgent = TakeMessage("Water is pouring through the ceiling", urgent=True)
    await keep_message(store, call(sid="CA" + "e" * 32), 2, urgent, outbox)
    out = outgoing(redis_async, registry, outbox, texts_per_hour=30, company_texts_per_hour=3)
    await out.drain.ensure_group()
    await drain_all(out)
    sent = {text.to for text in out.sms.sent}
    on_call = next(e for e in await store.employees.list() if e.isOnCall)
    assert on_call.phone in sent
    records = await store.notifications.list()
    [limited] = [n for n in records if n.status == "failed"]
    assert limited.reason == "missed_call" and "texts from this company" in limited.lastError
    assert all(n.status == "sent" for n in records if n.reason == "emergency")
