"""Twilio's status callback through the gateway when the call's `end` fails, without Ray.

A failed `end` still drops the call, so the slot of the actor it was put to is freed, and
a callback for a call no actor of ours holds leaves the directory as it is. The gateway is
the real `CallGateway` over a real call directory (Redis); its actors and pool are fakes
that record what they were asked, reached through the gateway's handle lookup.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import redis.asyncio as aioredis

from runtime.actors.call_session import CallNotHeld
from runtime.actors.directory import ENDED, CallDirectory
from runtime.actors.gateway import CallGateway, UnknownCall, _ActorGone
from runtime.actors.messages import AgentReply
from runtime.settings import Settings
from tests.serve_fixtures import JWT_SECRET, SECRET_KEY

ATLAS, BAYSIDE = "a" * 24, "b" * 24


class Remote:
    """A Ray actor method as the gateway calls it: `.remote(...)`, awaited."""

    def __init__(self, method: Callable[..., Awaitable[Any]]) -> None:
        self.remote = method


class FakeActor:
    """A call actor whose `end` fails the way the test says (or answers `held`)."""

    def __init__(self, end_fails_with: BaseException | None = None) -> None:
        self.end_fails_with = end_fails_with

        async def turn(call_sid: str, *_: Any) -> AgentReply:
            return AgentReply(call_sid=call_sid, utterances=(), action={"type": "Listen"})

        async def end(call_sid: str, *_: Any) -> list[str]:
            if self.end_fails_with is not None:
                raise self.end_fails_with
            return []

        async def restore(call_sid: str, company_id: str) -> bool:
            return True

        self.turn, self.end, self.restore = Remote(turn), Remote(end), Remote(restore)


class FakePool:
    """The pool's `release` and `replace` (a dead actor's call goes to `successor`)."""

    def __init__(self, successor: str | None = None) -> None:
        self.released: list[tuple[str, str]] = []

        async def release(actor_name: str, call_sid: str, held: list[str] | None) -> None:
            self.released.append((actor_name, call_sid))

        async def replace(dead_actor: str, call_sid: str, company_id: str) -> str | None:
            return successor

        self.release, self.replace = Remote(release), Remote(replace)


class Gateway(CallGateway):
    """The real gateway, its actor handles looked up among `actors` instead of Ray's."""

    def __init__(self, redis: aioredis.Redis, pool: FakePool, actors: dict[str, FakeActor]
                 ) -> None:
        settings = Settings.model_validate({"jwt_secret": JWT_SECRET,
                                            "clientsvia_secret_key": SECRET_KEY})
        super().__init__(settings, redis, pool=pool)
        self.actors = actors

    async def _handle(self, name: str) -> Any:
        if name not in self.actors:
            raise _ActorGone(name)  # as a killed actor's name
        return self.actors[name]


async def live_call(redis: aioredis.Redis, company_id: str, actor_name: str) -> str:
    call_sid = "CA" + uuid.uuid4().hex
    await CallDirectory(redis).register(call_sid, company_id, actor_name)
    return call_sid


@pytest.mark.parametrize("remembered", [False, True])
async def test_a_failed_end_still_frees_the_slot_of_the_actor_it_was_put_to(
        redis_async, remembered) -> None:
    pool = FakePool()
    gateway = Gateway(redis_async, pool, {"actor-a": FakeActor(RuntimeError("end failed"))})
    call_sid = await live_call(redis_async, ATLAS, "actor-a")
    if remembered:  # a turn went through this replica: the status callback skips the directory
        await gateway.turn(ATLAS, call_sid, "hello", 0.9)

    with pytest.raises(RuntimeError):
        await gateway.end_call(ATLAS, call_sid, "completed", 10.0)

    assert pool.released == [("actor-a", call_sid)]
    entry = await CallDirectory(redis_async).peek(call_sid)
    assert entry is not None and entry.state == ENDED


async def test_a_failed_end_after_a_takeover_frees_the_successors_slot(redis_async) -> None:
    pool = FakePool(successor="actor-b")
    gateway = Gateway(redis_async, pool, {"actor-b": FakeActor(RuntimeError("end failed"))})
    call_sid = await live_call(redis_async, ATLAS, "actor-dead")

    with pytest.raises(RuntimeError):
        await gateway.end_call(ATLAS, call_sid, "completed", 10.0)

    assert pool.released == [("actor-b", call_sid)]  # not the dead actor's (long gone)


async def test_a_callback_for_another_companys_call_leaves_its_entry_alone(
        redis_async) -> None:
    pool = FakePool()
    gateway = Gateway(redis_async, pool, {"actor-a": FakeActor()})
    call_sid = await live_call(redis_async, ATLAS, "actor-a")

    with pytest.raises(UnknownCall):
        await gateway.end_call(BAYSIDE, call_sid, "completed", 10.0)

    entry = await CallDirectory(redis_async).lookup(call_sid)
    assert entry is not None and entry.company_id == ATLAS and entry.actor_name == "actor-a"
    assert pool.released == []


async def test_a_remembered_actor_no_longer_holding_an_ended_call_frees_nothing(
        redis_async) -> None:
    pool = FakePool()
    actor = FakeActor()
    gateway = Gateway(redis_async, pool, {"actor-a": actor})
    call_sid = await live_call(redis_async, ATLAS, "actor-a")
    await gateway.turn(ATLAS, call_sid, "hello", 0.9)  # remembered
    await CallDirectory(redis_async).forget(call_sid)  # gone from the directory meanwhile
    actor.end_fails_with = CallNotHeld(call_sid)

    with pytest.raises(UnknownCall):
        await gateway.end_call(ATLAS, call_sid, "completed", 10.0)

    assert await CallDirectory(redis_async).peek(call_sid) is None  # no tombstone written
    assert pool.released == []
