"""Taken messages → inbox entries → stored notifications → sent once, retried, or failed."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
import redis.asyncio as aioredis

from runtime.conversation import CallContext, CallerContact, TakeMessage
from runtime.notifications.drain import MAX_ENTRY_CRASHES
from runtime.notifications.inbox import keep_message
from runtime.providers.notify import SMS_MAX_BODY
from tenancy.models.messages import MessageUpdate
from tenancy.registry import CompanyRegistry
from tenancy.secrets import SecretBox
from tests.notifications.outbox_fixtures import (
    BASE_URL,
    KEY,
    PLATFORM,
    fresh_outbox,
    outgoing,
    staffed_company,
)

CALL_SID = "CA" + "a" * 32


@pytest.fixture
def registry(redis_async: aioredis.Redis) -> CompanyRegistry:
    return CompanyRegistry(redis_async, SecretBox(KEY))


def context(call_sid: str = CALL_SID, name: str | None = "Pat Caller") -> CallContext:
    contact = CallerContact(name, 2, None) if name else None
    return CallContext(call_sid=call_sid, caller_number="+12395550111",
                       called_number="+12395550100", started_at=datetime.now(UTC),
                       contact=contact)


async def drain_all(out) -> None:
    while await out.drain.run_once(block_ms=1):
        pass


async def test_a_taken_message_reaches_the_inbox_and_on_call_staff_once(registry, redis_async):
    store = await staffed_company(registry)
    outbox = fresh_outbox()
    out = outgoing(redis_async, registry, outbox)
    await out.drain.ensure_group()
    action = TakeMessage("Furnace is making a banging noise, call me back", urgent=False)

    await keep_message(store, context(), 3, action, outbox)
    await keep_message(store, context(), 3, action, outbox)  # the turn re-run after a crash

    [message] = await store.messages.list()
    assert (message.callSid, message.callerName, message.callerNumber, message.status) == (
        CALL_SID, "Pat Caller", "+12395550111", "new")
    notifications = await store.notifications.list()
    employees = {e.name: e for e in await store.employees.list()}
    assert sorted((n.channel, n.to) for n in notifications) == sorted([
        ("sms", employees["Sam"].phone), ("email", "sam@atlas.example"),
        ("email", "office@atlas.example")])
    assert {n.status for n in notifications} == {"queued"}

    await drain_all(out)
    await drain_all(out)
    [text] = out.sms.sent
    assert text.to == employees["Sam"].phone and "banging noise" in text.body
    assert text.status_callback == f"{BASE_URL}/api/twilio/message-status/{store.company_id}"
    assert sorted(e.to for e in out.email.sent) == ["office@atlas.example", "sam@atlas.example"]
    sent = await store.notifications.list()
    assert {(n.status, n.attempts) for n in sent} == {("sent", 1)}
    sms_record = next(n for n in sent if n.channel == "sms")
    assert await store.notifications.find_by_provider_id(sms_record.providerIds[0]) == sms_record


async def test_urgent_messages_go_to_the_roles_the_settings_name(registry, redis_async):
    store = await staffed_company(registry, urgent={"roles": ["dispatcher"], "onCall": False,
                                                    "officeEmail": False, "email": False})
    outbox = fresh_outbox()
    await keep_message(store, context(), 1, TakeMessage("Gas smell", urgent=True), outbox)
    [notification] = await store.notifications.list()
    dana = next(e for e in await store.employees.list() if e.name == "Dana")
    assert (notification.channel, notification.to, notification.reason) == (
        "sms", dana.phone, "emergency")
    assert notification.body.startswith("Atlas Air: URGENT message from Pat Caller")


async def test_a_store_failure_is_logged_never_raised(registry):
    store = await staffed_company(registry)
    store.messages._redis = None  # type: ignore[assignment]  # every call now fails
    await keep_message(store, context(), 1, TakeMessage("hello"), fresh_outbox())


async def test_a_transient_failure_is_retried_with_backoff_then_sent(registry, redis_async):
    store = await staffed_company(registry, messages={"email": False, "officeEmail": False})
    outbox = fresh_outbox()
    out = outgoing(redis_async, registry, outbox)
    out.sms.fail_next = 1
    await out.drain.ensure_group()
    await keep_message(store, context(), 1, TakeMessage("call me"), outbox)

    await drain_all(out)
    [waiting] = await store.notifications.list()
    assert (waiting.status, waiting.attempts, out.sms.sent) == ("queued", 1, [])
    assert waiting.notBefore is not None and waiting.lastError
    assert await out.drain.promote_due(time.time()) == 0  # not due yet: 30 s backoff
    assert await out.drain.promote_due(waiting.notBefore.timestamp() + 1) == 1
    await drain_all(out)
    [sent] = await store.notifications.list()
    assert (sent.status, sent.attempts, len(out.sms.sent)) == ("sent", 2, 1)


async def test_failures_stop_at_the_attempt_limit(registry, redis_async):
    store = await staffed_company(registry, messages={"email": False, "officeEmail": False})
    outbox = fresh_outbox()
    out = outgoing(redis_async, registry, outbox)
    out.sms.fail_next = 10
    await out.drain.ensure_group()
    await keep_message(store, context(), 1, TakeMessage("call me"), outbox)
    for _ in range(5):
        await drain_all(out)
        await out.drain.promote_due(time.time() + 10 * 3600)
    [failed] = await store.notifications.list()
    assert (failed.status, failed.attempts, out.sms.sent) == ("failed", 3, [])


@pytest.mark.parametrize("first_attempt_fails", [False, True])
async def test_an_entry_read_twice_makes_its_attempt_once(registry, redis_async,
                                                          first_attempt_fails):
    store = await staffed_company(registry, messages={"email": False, "officeEmail": False})
    outbox = fresh_outbox()
    out = outgoing(redis_async, registry, outbox)
    out.sms.fail_next = int(first_attempt_fails)
    await out.drain.ensure_group()
    await keep_message(store, context(), 1, TakeMessage("call me"), outbox)
    [notification] = await store.notifications.list()
    await redis_async.xadd(outbox.stream, {"company_id": store.company_id,
                                           "notification_id": notification.id, "attempt": "1"})
    await drain_all(out)
    [after] = await store.notifications.list()
    assert after.attempts == 1
    assert len(out.sms.sent) == (0 if first_attempt_fails else 1)  # a retry waits its turn


async def test_a_long_message_is_split_into_texts_twilio_accepts(registry, redis_async):
    store = await staffed_company(registry, messages={"email": False, "officeEmail": False})
    outbox = fresh_outbox()
    out = outgoing(redis_async, registry, outbox)
    await out.drain.ensure_group()
    await keep_message(store, context(), 1, TakeMessage("word " * 700), outbox)
    await drain_all(out)
    assert len(out.sms.sent) == 3
    assert all(0 < len(t.body) <= SMS_MAX_BODY for t in out.sms.sent)
    [sent] = await store.notifications.list()
    assert len(sent.providerIds) == 3


async def test_texts_go_from_the_company_account_when_it_has_one(registry, redis_async):
    store = await staffed_company(registry, messages={"email": False, "officeEmail": False})
    company = await store.load_company()
    assert company is not None
    company.twilioConfig.accountSid = "AC" + "9" * 32
    company.twilioConfig.authToken = "company-auth-token-0123"
    await store.save_company(company)
    outbox = fresh_outbox()
    accounts = []
    out = outgoing(redis_async, registry, outbox)
    original = out.sms.send

    async def spy(request, account):
        accounts.append(account.account_sid)
        return await original(request, account)

    out.sms.send = spy  # type: ignore[method-assign]
    await out.drain.ensure_group()
    await keep_message(store, context(), 1, TakeMessage("call me"), outbox)
    await drain_all(out)
    assert accounts == ["AC" + "9" * 32] and PLATFORM.account_sid not in accounts


async def test_an_urgent_message_escalates_until_someone_marks_it_handled(
        registry, redis_async):
    store = await staffed_company(registry, urgent={"sms": False, "email": False,
                                                    "officeEmail": False})
    people = {e.name: e for e in await store.employees.list()}
    company = await store.load_company()
    assert company is not None
    company.notificationSettings.escalationOrder = [
        people["Dana"].id, people["Lee"].id, people["Sam"].id]
    await store.save_company(company)
    outbox = fresh_outbox()
    out = outgoing(redis_async, registry, outbox)
    await out.drain.ensure_group()
    await keep_message(store, context(), 1, TakeMessage("Gas smell", urgent=True), outbox)

    await drain_all(out)
    assert [t.to for t in out.sms.sent] == [people["Dana"].phone]
    await out.drain.promote_due(time.time() + 10 * 60 + 1)  # nobody handled it in 10 min
    await drain_all(out)
    assert [t.to for t in out.sms.sent] == [people["Dana"].phone, people["Lee"].phone]

    [message] = await store.messages.list()
    await store.messages.update(message.id, MessageUpdate(status="handled"))
    await out.drain.promote_due(time.time() + 20 * 60 + 1)
    await drain_all(out)
    assert len(out.sms.sent) == 2  # Sam is not woken: Lee handled it
    assert sorted(n.escalationStep for n in await store.notifications.list()) == [0, 1]


async def test_a_flood_of_messages_cannot_text_one_number_without_limit(registry, redis_async):
    store = await staffed_company(registry, messages={"email": False, "officeEmail": False})
    outbox = fresh_outbox()
    out = outgoing(redis_async, registry, outbox, texts_per_hour=2)
    await out.drain.ensure_group()
    for turn in range(4):
        await keep_message(store, context(), turn, TakeMessage(f"message {turn}"), outbox)
    await drain_all(out)
    assert len(out.sms.sent) == 2
    limited = [n for n in await store.notifications.list() if n.status == "failed"]
    assert len(limited) == 2 and all("rate limited" in n.lastError for n in limited)


async def test_a_notification_whose_sending_crashes_does_not_block_the_others(
        registry, redis_async):
    store = await staffed_company(registry, messages={"email": False, "officeEmail": False})
    outbox = fresh_outbox()
    out = outgoing(redis_async, registry, outbox)
    await out.drain.ensure_group()
    await keep_message(store, context(), 1, TakeMessage("first"), outbox)
    await keep_message(store, context(), 2, TakeMessage("second"), outbox)
    first = next(n for n in await store.notifications.list() if "first" in n.body)
    deliver = out.sender.deliver

    async def crash_on_first(company_id, notification_id, attempt):
        if notification_id == first.id:
            raise RuntimeError("a bug, not a provider failure")
        await deliver(company_id, notification_id, attempt)

    out.sender.deliver = crash_on_first  # type: ignore[method-assign]
    for _ in range(MAX_ENTRY_CRASHES + 1):
        await out.drain.run_once(block_ms=1)
    assert [t.body.split(": ")[-1] for t in out.sms.sent] == ["second"]
    pending = await redis_async.xpending(outbox.stream, "notifier")
    assert pending["pending"] == 0  # given up after MAX_ENTRY_CRASHES, not retried forever
