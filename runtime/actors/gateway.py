"""`CallGateway`: how a Serve replica talks to the call actors.

It claims an actor from the pool for a new call, finds a live call's actor through the
call directory (checking the call belongs to the company in the webhook's URL), and when
an actor has died mid-call it takes a fresh one from the pool, restores the call from its
checkpoint and retries the webhook once, so the caller hears the next answer with the
conversation intact. Every call to an actor is awaited, never blocking the event loop.

A live call's entry is remembered for a while (`recent_calls`): most webhooks go straight
to the actor, and a remembered actor that failed, or no longer holds the call, sends the
webhook back through the directory (which names a takeover's actor, whoever made it).

Webhooks are idempotent. The incoming-call webhook reserves its CallSid in the directory
first: a repeat (a Twilio retry, a replayed request) gets the live call's current answer
and never a second call slot. Every turn carries a request key (Twilio's idempotency token,
or one made here) that the actor keeps with its answer in the checkpoint, so the retry
after a takeover, or Twilio's own retry, replays the answer instead of taking the turn twice.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import OrderedDict
from typing import Any

import ray
import redis.asyncio as aioredis
import structlog
from ray.exceptions import RayActorError

from runtime.actors.call_session import CallNotHeld
from runtime.actors.directory import ENDED, STARTING, CallDirectory, CallEntry
from runtime.actors.messages import AgentReply, CallRefused, CallSetup
from runtime.actors.pool import BUSY_MESSAGE, CALL_NAMESPACE, FORWARD_MESSAGE, ensure_pool
from runtime.actors.recent_calls import RecentCalls
from runtime.settings import Settings

__all__ = ["CallGateway", "CallLost", "UnknownCall", "ensure_pool"]

log = structlog.get_logger(__name__)

HANDLE_CACHE_SIZE = 4096
POOL_ATTEMPTS = 3
POOL_RETRY_PAUSE_S = 0.5
REPEAT_WAIT_S = 5.0  # a repeated incoming webhook waits this long for the first to set up
TAKEN_MESSAGE = "Sorry, this call cannot be connected. Goodbye."
HANGUP = {"type": "Hangup"}


class UnknownCall(LookupError):
    """No live call with this CallSid for this company (the Serve layer answers 404)."""


class CallLost(RuntimeError):
    """The call's actor died and the call could not be taken over (no actor, no checkpoint)."""


class PoolUnavailable(RuntimeError):
    """The call pool stayed unreachable (dead and not yet restarted by Ray)."""


class _ActorGone(Exception):
    """The actor's name no longer resolves: it was killed or retired."""


class _Asked:
    """The actor a webhook was last put to (None: none yet, or the remembered one turned
    out gone): the one whose slot a failed `end` must still free."""

    __slots__ = ("actor_name",)

    def __init__(self) -> None:
        self.actor_name: str | None = None


class CallGateway:
    def __init__(
        self,
        settings: Settings,
        redis: aioredis.Redis,
        *,
        pool: Any | None = None,
        namespace: str = CALL_NAMESPACE,
        detached_pool: bool = True,
    ) -> None:
        self._pool = pool if pool is not None else ensure_pool(settings, detached=detached_pool)
        self._directory = CallDirectory(redis)
        self._recent = RecentCalls()
        self._namespace = namespace
        self._handles: OrderedDict[str, Any] = OrderedDict()

    async def start_call(
        self, setup: CallSetup, forward_to: str | None = None
    ) -> AgentReply | CallRefused:
        """Claim a warm actor for the call and return its greeting (or the refusal); a
        repeated webhook for a CallSid already known gets that call's current answer."""
        existing = await self._directory.reserve(setup.call_sid, setup.company_id)
        if existing is not None:
            return await self._repeat(setup, existing)
        for attempt in range(2):  # once more if the claimed actor died before answering
            try:
                claimed = await self._ask_pool("claim", setup, forward_to)
            except PoolUnavailable:
                await self._directory.forget(setup.call_sid)
                return CallRefused(reason="pool_unavailable",
                                   message=FORWARD_MESSAGE if forward_to else BUSY_MESSAGE,
                                   forward_to=forward_to)
            if isinstance(claimed, CallRefused):
                await self._directory.forget(setup.call_sid)
                return claimed
            try:
                handle = await self._handle(claimed)
                reply: AgentReply = await self._begin(handle, setup, claimed)
                self._remember(setup.call_sid, setup.company_id, claimed)
                return reply
            except (RayActorError, _ActorGone):
                await self._abandon(setup.call_sid, claimed)
                if attempt:
                    raise
                existing = await self._directory.reserve(setup.call_sid, setup.company_id)
                if existing is not None:  # a repeat of the webhook got here in between
                    return await self._repeat(setup, existing)
            except BaseException:
                await self._abandon(setup.call_sid, claimed)
                raise
        raise AssertionError("unreachable")

    async def turn(
        self, company_id: str, call_sid: str, speech: str | None, confidence: float | None,
        request_key: str | None = None,
    ) -> AgentReply:
        reply, _ = await self._invoke(company_id, call_sid, "turn", speech, confidence,
                                      _key(request_key))
        return reply  # type: ignore[no-any-return]

    async def resume(self, company_id: str, call_sid: str) -> AgentReply:
        reply, _ = await self._invoke(company_id, call_sid, "resume")
        return reply  # type: ignore[no-any-return]

    async def dial_finished(self, company_id: str, call_sid: str, dial_status: str,
                            request_key: str | None = None) -> AgentReply:
        reply, _ = await self._invoke(company_id, call_sid, "dial_finished", dial_status,
                                      _key(request_key))
        return reply  # type: ignore[no-any-return]

    async def end_call(
        self, company_id: str, call_sid: str, call_status: str, duration_s: float | None
    ) -> None:
        """Twilio's final status callback: record the call, free its slot on its actor."""
        asked = _Asked()
        try:
            held, actor_name = await self._invoke(company_id, call_sid, "end", call_status,
                                                  duration_s, asked=asked)
        except (UnknownCall, CallLost):  # no actor of ours holds the call any more
            if asked.actor_name is not None:  # (none asked: the directory knew no such call)
                self._recent.forget(call_sid)
                await self._directory.finish(call_sid, company_id)
            raise
        except BaseException:  # `end` drops the call even when it fails: free its slot
            if asked.actor_name is not None:
                await self._finish(call_sid, company_id, asked.actor_name)
            raise
        await self._finish(call_sid, company_id, actor_name, held)

    # --- internals -------------------------------------------------------------------------

    async def _repeat(self, setup: CallSetup, entry: CallEntry) -> AgentReply | CallRefused:
        """The answer to a repeated incoming webhook: the live call's current answer."""
        if entry.company_id != setup.company_id:
            return CallRefused(reason="call_sid_taken", message=TAKEN_MESSAGE)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + REPEAT_WAIT_S
        while entry.state == STARTING and loop.time() < deadline:
            await asyncio.sleep(0.05)  # the first webhook is still claiming the actor
            entry = await self._directory.peek(setup.call_sid) or entry
        if entry.state == ENDED:
            return AgentReply(call_sid=setup.call_sid, utterances=(), action=dict(HANGUP))
        if not entry.live:
            return CallRefused(reason="call_starting", message=TAKEN_MESSAGE)
        try:
            reply, _ = await self._invoke_entry(entry, "repeat")
        except (UnknownCall, CallLost):
            return AgentReply(call_sid=setup.call_sid, utterances=(), action=dict(HANGUP))
        return reply  # type: ignore[no-any-return]

    async def _begin(self, handle: Any, setup: CallSetup, actor_name: str) -> AgentReply:
        """The actor greets the caller while the directory is pointed at it: one wait, not
        two, on the caller's way to the greeting. Both are finished before either's failure
        is raised, so abandoning the call never races its registration."""
        outcomes: tuple[Any, ...] = await asyncio.gather(
            handle.begin.remote(setup),
            self._directory.register(setup.call_sid, setup.company_id, actor_name),
            return_exceptions=True)
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome
        greeting: AgentReply = outcomes[0]
        return greeting

    async def _entry(self, company_id: str, call_sid: str) -> CallEntry:
        entry = await self._directory.resolve(call_sid, company_id)
        if entry is None:
            self._recent.forget(call_sid)
            raise UnknownCall(f"no live call {call_sid} for company {company_id}")
        self._recent.remember(entry)
        return entry

    async def _invoke(self, company_id: str, call_sid: str, method: str, *args: Any,
                      asked: _Asked | None = None) -> tuple[Any, str]:
        """`method` on the call's actor, and the actor's name: the remembered one first; if
        it is gone or does not hold the call, whatever the directory says now (and a
        takeover if need be). `asked` learns each actor as it is asked."""
        asked = asked or _Asked()
        remembered = self._recent.get(call_sid, company_id)
        if remembered is not None:
            asked.actor_name = remembered.actor_name
            answered, result = await self._ask_remembered(remembered, method, *args)
            if answered:
                return result, remembered.actor_name
            asked.actor_name = None  # gone, or not holding the call: it has no slot to free
        entry = await self._entry(company_id, call_sid)
        asked.actor_name = entry.actor_name
        return await self._invoke_entry(entry, method, *args, asked=asked)

    async def _ask_remembered(self, entry: CallEntry, method: str, *args: Any
                              ) -> tuple[bool, Any]:
        """(True, its answer) from the remembered actor; (False, None) when that actor is
        gone or no longer holds the call: forgotten, the directory must be asked."""
        try:
            handle = await self._handle(entry.actor_name)
            return True, await getattr(handle, method).remote(entry.call_sid, *args)
        except (RayActorError, _ActorGone):
            self._handles.pop(entry.actor_name, None)
        except CallNotHeld:
            pass
        self._recent.forget(entry.call_sid)
        return False, None

    async def _invoke_entry(self, entry: CallEntry, method: str, *args: Any,
                            asked: _Asked | None = None) -> tuple[Any, str]:
        """Call `method` on the call's actor; on its death, take the call over and retry once."""
        try:
            try:
                handle = await self._handle(entry.actor_name)
                return await getattr(handle, method).remote(entry.call_sid, *args), entry.actor_name
            except (RayActorError, _ActorGone):
                self._handles.pop(entry.actor_name, None)
                name, handle = await self._take_over(entry)
                if asked is not None:
                    asked.actor_name = name
                return await getattr(handle, method).remote(entry.call_sid, *args), name
        except CallNotHeld as exc:
            raise UnknownCall(f"call {entry.call_sid} is no longer live") from exc

    async def _ask_pool(self, method: str, *args: Any) -> Any:
        """A call to the pool; while Ray restarts a crashed pool, tried again after a pause
        (Ray queues calls for a restarting actor)."""
        for attempt in range(POOL_ATTEMPTS):
            try:
                return await getattr(self._pool, method).remote(*args)
            except RayActorError as exc:
                if attempt == POOL_ATTEMPTS - 1:
                    raise PoolUnavailable(f"the call pool did not answer {method}") from exc
                await asyncio.sleep(POOL_RETRY_PAUSE_S)
        raise AssertionError("unreachable")

    async def _release(self, actor_name: str, call_sid: str,
                       held: list[str] | None = None) -> None:
        """Free the call's slot (`held`: the calls the actor said it still holds, if it
        said); a pool being restarted learns it from the actors instead."""
        try:
            await self._ask_pool("release", actor_name, call_sid, held)
        except PoolUnavailable:
            log.warning("call_slot_not_released", call_sid=call_sid)

    async def _take_over(self, entry: CallEntry) -> tuple[str, Any]:
        try:
            name = await self._ask_pool("replace", entry.actor_name, entry.call_sid,
                                        entry.company_id)
        except PoolUnavailable as exc:
            raise CallLost(f"no call pool to take over call {entry.call_sid}") from exc
        if name is None:
            raise CallLost(f"no call actor available to take over call {entry.call_sid}")
        handle = await self._handle(name)
        if not await handle.restore.remote(entry.call_sid, entry.company_id):
            await self._abandon(entry.call_sid, name)
            raise CallLost(f"call {entry.call_sid} has no checkpoint to continue from")
        await self._directory.register(entry.call_sid, entry.company_id, name)
        self._remember(entry.call_sid, entry.company_id, name)
        return name, handle

    async def _abandon(self, call_sid: str, actor_name: str) -> None:
        """Forget the call and free its slot (the pool retires an unclean actor)."""
        self._recent.forget(call_sid)
        await self._directory.forget(call_sid)
        await self._release(actor_name, call_sid)

    async def _finish(self, call_sid: str, company_id: str, actor_name: str,
                      held: list[str] | None = None) -> None:
        """The call ended: leave its tombstone in the directory and free its slot."""
        self._recent.forget(call_sid)
        await self._directory.finish(call_sid, company_id)
        await self._release(actor_name, call_sid, held)

    def _remember(self, call_sid: str, company_id: str, actor_name: str) -> None:
        """The directory was just pointed at `actor_name` for the call."""
        self._recent.remember(CallEntry(call_sid, company_id, actor_name, time.time()))

    async def _handle(self, name: str) -> Any:
        handle = self._handles.get(name)
        if handle is not None:
            self._handles.move_to_end(name)
            return handle
        try:  # a GCS lookup: off the event loop
            handle = await asyncio.to_thread(ray.get_actor, name, namespace=self._namespace)
        except ValueError as exc:
            raise _ActorGone(name) from exc
        self._handles[name] = handle
        while len(self._handles) > HANDLE_CACHE_SIZE:
            self._handles.popitem(last=False)
        return handle


def _key(request_key: str | None) -> str:
    """The webhook's idempotency key: Twilio's token when it sent one, else a fresh one
    (which still makes the retry after a takeover exactly-once)."""
    return request_key or uuid.uuid4().hex
