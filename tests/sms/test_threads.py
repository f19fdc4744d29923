"""Text threads in the tenant store: retention (TTL and a text cap), newest first, opt-outs."""

from __future__ import annotations

import redis.asyncio as aioredis

from tenancy.models.sms import SMS_THREAD_MAX_TEXTS, SMS_THREAD_TTL_S, SmsThread, ThreadText
from tenancy.secrets import SecretBox
from tenancy.store import TenantStore
from tests.notifications.outbox_fixtures import KEY
from tests.serve_fixtures import unique_number

COMPANY = "ab" * 12


async def test_threads_expire_keep_their_newest_texts_and_list_newest_first(
        redis_async: aioredis.Redis) -> None:
    store = TenantStore(redis_async, COMPANY, SecretBox(KEY))
    older, newer = SmsThread(number=unique_number()), SmsThread(number=unique_number())
    for index in range(SMS_THREAD_MAX_TEXTS + 5):
        older.add(ThreadText(role="customer", text=f"text {index}"))
    await store.sms.save(older)
    await store.sms.save(newer)
    kept = await store.sms.thread(older.number)
    assert len(kept.texts) == SMS_THREAD_MAX_TEXTS and kept.texts[0].text == "text 5"
    assert 0 < await redis_async.ttl(store.key("sms", "thread", older.number)) <= SMS_THREAD_TTL_S
    assert [t.number for t in await store.sms.threads(10)][:2] == [newer.number, older.number]
    await redis_async.delete(store.key("sms", "thread", newer.number))  # expired
    assert newer.number not in [t.number for t in await store.sms.threads(10)]


async def test_an_opt_out_lasts_until_opt_in_and_is_per_company(redis_async) -> None:
    store = TenantStore(redis_async, COMPANY, SecretBox(KEY))
    other = TenantStore(redis_async, "cd" * 12, SecretBox(KEY))
    number = unique_number()
    await store.sms.opt_out(number)
    assert await store.sms.opted_out(number) and not await other.sms.opted_out(number)
    assert await redis_async.ttl(store.key("sms", "opted-out")) == -1  # never expires
    await store.sms.opt_in(number)
    assert not await store.sms.opted_out(number)
