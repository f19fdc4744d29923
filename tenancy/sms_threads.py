"""A company's text threads, its opted-out numbers, and the inbound texts it has answered.

Threads expire `ttl_s` after their last text (Redis TTL) and are listed from an index
ordered by last activity, pruned of expired threads as it is read. Opt-outs never
expire: a number that texted STOP is never texted again until it texts START. Each
inbound MessageSid is claimed once; the reply it got is kept, so a webhook Twilio
retries gets the same reply again and nothing is done twice. Texts of one thread are
answered one at a time (a Redis lock), so two arriving together both stay in it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import cast

import redis.asyncio as aioredis
from redis.asyncio.lock import Lock

from tenancy.models import utc_now
from tenancy.models.sms import SMS_THREAD_TTL_S, SmsThread

SID_TTL_S = 48 * 3600  # Twilio retries within minutes; a day or two covers every replay
CLAIM_TTL_S = 30  # a claim whose handler died frees the MessageSid after this
PENDING = "__pending__"
LOCK_TTL_S, LOCK_WAIT_S = 30, 10  # a thread's lock: freed if its holder died; waited for

KeyMaker = Callable[..., str]


class SmsBook:
    def __init__(self, redis: aioredis.Redis, key: KeyMaker, ttl_s: int = SMS_THREAD_TTL_S
                 ) -> None:
        self._redis = redis
        self._key = key  # the tenant store's key(), under "sms"
        self.ttl_s = ttl_s

    # --- threads ---------------------------------------------------------------------------

    async def thread(self, number: str) -> SmsThread | None:
        raw = await self._redis.get(self._key("thread", number))
        return None if raw is None else SmsThread.model_validate_json(cast(str, raw))

    async def save(self, thread: SmsThread) -> None:
        now = time.time()
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(self._key("thread", thread.number), thread.model_dump_json(), ex=self.ttl_s)
            pipe.zadd(self._key("threads"), {thread.number: now})
            pipe.zremrangebyscore(self._key("threads"), "-inf", now - self.ttl_s)
            await pipe.execute()

    def lock(self, number: str) -> Lock:
        """Held while a text to the thread is answered: two texts at once both land."""
        return self._redis.lock(self._key("lock", number), timeout=LOCK_TTL_S,
                                blocking_timeout=LOCK_WAIT_S)

    async def threads(self, limit: int) -> list[SmsThread]:
        """The live threads, most recently active first."""
        index = self._key("threads")
        await self._redis.zremrangebyscore(index, "-inf", time.time() - self.ttl_s)
        numbers = cast(list[str], await self._redis.zrevrange(index, 0, limit - 1))
        if not numbers:
            return []
        raws = await self._redis.mget([self._key("thread", n) for n in numbers])
        return [SmsThread.model_validate_json(raw) for raw in raws if raw is not None]

    # --- opt-outs --------------------------------------------------------------------------

    async def opt_out(self, number: str) -> None:
        await self._redis.hset(self._key("opted-out"), number, utc_now().isoformat())

    async def opt_in(self, number: str) -> None:
        await self._redis.hdel(self._key("opted-out"), number)

    async def opted_out(self, number: str) -> bool:
        return bool(await self._redis.hexists(self._key("opted-out"), number))

    # --- inbound texts answered ------------------------------------------------------------

    async def claim(self, message_sid: str) -> bool:
        """True for the first delivery of `message_sid` (a retry finds it claimed)."""
        return bool(await self._redis.set(self._key("sid", message_sid), PENDING, nx=True,
                                          ex=CLAIM_TTL_S))

    async def answered(self, message_sid: str) -> list[str] | None:
        """The replies a MessageSid got; [] while it is still being answered."""
        raw = await self._redis.get(self._key("sid", message_sid))
        if raw is None:
            return None
        return [] if raw == PENDING else cast(list[str], json.loads(cast(str, raw)))

    async def remember(self, message_sid: str, replies: list[str]) -> None:
        await self._redis.set(self._key("sid", message_sid), json.dumps(replies), ex=SID_TTL_S)
