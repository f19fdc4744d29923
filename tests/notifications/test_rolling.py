"""A full inbox or notification log makes room from its oldest finished records, so the
newest message is never refused and nothing still queued is dropped."""

from __future__ import annotations

import pytest
import redis.asyncio as aioredis

from tenancy.models.messages import Notification, TakenMessage
from tenancy.registry import CompanyRegistry
from tenancy.secrets import SecretBox
from tests.notifications.outbox_fixtures import KEY, fresh_outbox, staffed_company


@pytest.fixture
def registry(redis_async: aioredis.Redis) -> CompanyRegistry:
    return CompanyRegistry(redis_async, SecretBox(KEY))


def message(i: int, status: str = "new") -> TakenMessage:
    return TakenMessage(callSid=f"CA{i:032x}", text=f"message {i}", status=status)


async def test_a_full_inbox_drops_handled_messages_first_then_the_oldest(registry):
    store = await staffed_company(registry)
    store.messages.limit = 3
    for i, status in enumerate(("new", "handled", "new")):
        assert await store.messages.keep(message(i, status))
    assert await store.messages.keep(message(3))
    assert [m.text for m in await store.messages.list()] == [
        "message 0", "message 2", "message 3"]
    assert await store.messages.keep(message(4))
    assert [m.text for m in await store.messages.list()] == [
        "message 2", "message 3", "message 4"]


async def test_a_full_notification_log_never_drops_a_queued_one(registry, redis_async):
    store = await staffed_company(registry)
    book = store.notifications
    book.limit = 2
    outbox = fresh_outbox()
    sent = Notification(channel="sms", to="+12395550101", body="a", reason="message",
                        status="sent", providerIds=["SM" + "1" * 32])
    await book.save(sent)
    queued = Notification(channel="sms", to="+12395550101", body="b", reason="message")
    await book.queue(queued, outbox)
    newest = Notification(channel="sms", to="+12395550101", body="c", reason="message")
    await book.queue(newest, outbox)
    assert [n.body for n in await book.list()] == ["b", "c"]
    assert await book.find_by_provider_id("SM" + "1" * 32) is None
    assert not await redis_async.hexists(store.key("notifications", "by-sid"), "SM" + "1" * 32)
    await book.queue(Notification(channel="sms", to="+12395550101", body="d",
                                  reason="message"), outbox)
    assert [n.body for n in await book.list()] == ["b", "c", "d"]  # over the cap, not lost
