"""The call directory's entries in Redis: what a webhook writes, and how long it lasts."""

from __future__ import annotations

import uuid

from runtime.actors.directory import ENDED, ENDED_TTL_S, CallDirectory


def new_sid() -> str:
    return "CA" + uuid.uuid4().hex


async def test_a_registered_call_is_live_on_its_actor_for_the_entry_ttl(redis_async):
    directory, sid = CallDirectory(redis_async, ttl_s=900, clock=lambda: 1234.5), new_sid()
    assert await directory.reserve(sid, "acme") is None
    await directory.register(sid, "acme", "call-actor-3")

    entry = await directory.lookup(sid)
    assert entry is not None and entry.live
    assert (entry.company_id, entry.actor_name, entry.last_seen) == ("acme", "call-actor-3",
                                                                    1234.5)
    assert 890 < await redis_async.ttl(directory.key(sid)) <= 900
    assert await directory.resolve(sid, "rival") is None  # never another company's


async def test_an_ended_call_leaves_a_tombstone_for_its_own_ttl(redis_async):
    directory, sid = CallDirectory(redis_async, ttl_s=900), new_sid()
    await directory.register(sid, "acme", "call-actor-3")
    await directory.finish(sid, "acme")

    assert await directory.lookup(sid) is None and await directory.resolve(sid, "acme") is None
    ended = await directory.peek(sid)
    assert ended is not None and (ended.state, ended.actor_name) == (ENDED, "")
    assert ENDED_TTL_S - 10 < await redis_async.ttl(directory.key(sid)) <= ENDED_TTL_S
    assert await directory.reserve(sid, "acme") == ended  # cannot be started again
