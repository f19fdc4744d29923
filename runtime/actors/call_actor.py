"""`CallActor`: a Ray actor hosting up to `calls_per_actor` live calls, recycled by the pool.

For each call it holds the company snapshot, context, conversation state and dialogue
policy, speaks each answer sentence by sentence (see `answer_stream`), reports every event
the moment it happens and checkpoints the call after every turn, so a replacement actor
can `restore` it when this one dies. Providers are built once per actor, never per call.
Each call has its own lock (one webhook of a call at a time; calls run side by side), and
after `end` the actor holds nothing of that call: the next call starts from zero.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import gc
import os
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import ray
import structlog

from analytics.emitter import CallEventEmitter
from runtime.actors.answer_stream import AnswerStream
from runtime.actors.background import BackgroundTasks
from runtime.actors.call_ending import CallEnding
from runtime.actors.call_options import CallActorOptions
from runtime.actors.call_policies import CallPolicies
from runtime.actors.call_record import CallRecord, CallRecorder, returning_caller
from runtime.actors.call_session import (
    ActorBusy,
    CallNotHeld,
    CallSession,
    CompanyUnavailable,
    LastAnswer,
)
from runtime.actors.company_views import CompanyViews
from runtime.actors.messages import AgentReply, CallSetup, Utterance
from runtime.actors.ray_options import ACTOR_OPTIONS
from runtime.actors.speech import RenderedSentence, SpeechRenderer
from runtime.actors.turn_follow_ups import spawn_follow_ups
from runtime.conversation import (
    AgentTurn,
    CallContext,
    ConversationState,
    Listen,
    TurnOutcome,
    action_to_dict,
    split_sentences,
)
from runtime.conversation.dates import warm_up as warm_up_dates
from runtime.meaning.scorer import CatalogVectors
from runtime.node_cache import NodeCache
from runtime.providers.audio_store import AudioStore, SpeechCache, audio_url_key
from runtime.providers.factory import (
    build_drafting_model,
    build_embedder,
    build_language_model,
    build_synthesizer,
)
from runtime.redis_client import redis_client
from runtime.settings import Settings
from tenancy.registry import CompanyRegistry
from tenancy.secrets import SecretBox

log = structlog.get_logger(__name__)

LISTEN = action_to_dict(Listen())
SAY_AGAIN = "Sorry, I lost you for a moment. Could you say that again?"
STUMBLED = "Sorry, I had trouble with that. Could you say it again?"
SPEECH_HINTS = 20  # phrases passed to Twilio's recognizer
INCOMING_KEY = "incoming"  # the request key of the greeting (the incoming-call webhook)
TENANT_STORES_KEPT = 256  # companies whose tenant store an actor keeps built


@ray.remote(**ACTOR_OPTIONS, max_restarts=0)
class CallActor:
    def __init__(self, settings: dict[str, Any], options: CallActorOptions | None = None) -> None:
        config = Settings.from_deployment(settings)
        secret_key = config.clientsvia_secret_key.get_secret_value()
        self._options = options or CallActorOptions()
        text_redis = redis_client(config.redis_url)
        audio_redis = redis_client(config.redis_url, decode_responses=False)  # audio is bytes
        providers = config.provider_config()
        # One embedding model per actor process, shared by its calls; loaded (and the trade
        # catalog embedded) here, never on a caller's turn; read if another actor made them.
        node_cache = NodeCache.configured(config.node_cache_dir)
        self._embedder = build_embedder(providers, node_cache)
        CatalogVectors.of(self._embedder, node_cache)
        self._policies = CallPolicies(build_language_model(providers), self._embedder,
                                      config.calendar_config(), providers.platform_voice)
        self._speech = SpeechRenderer(
            build_synthesizer(providers),
            AudioStore(audio_redis, url_key=audio_url_key(secret_key)),  # stable <Play> URLs
            SpeechCache(audio_redis), self._options.tts_timeout_s,
        )
        secrets = SecretBox(secret_key)
        registry = CompanyRegistry(text_redis, secrets)
        # A tenant store is a dozen key-holding objects: built once per company, not per turn.
        self._tenant = functools.lru_cache(maxsize=TENANT_STORES_KEPT)(registry.tenant)
        self._recorder = CallRecorder(
            CallEventEmitter(text_redis, max_backlog=config.call_events_max_backlog))
        self._capacity = config.calls_per_actor
        # A call's lock exists from the moment its slot is taken (begin/restore) until it
        # ends, so `len(self._locks)` counts the taken slots, sessions not yet built included.
        self._locks: dict[str, asyncio.Lock] = {}
        self._sessions: dict[str, CallSession] = {}
        self._uses = 0
        self._background = BackgroundTasks()  # ended calls' events in delivery, messages kept
        # Parsed (and their entries' vectors loaded) once per company version, shared by calls.
        self._companies = CompanyViews(self._embedder)
        self._ending = CallEnding(self._tenant, self._recorder,
                                  build_drafting_model(providers),  # None: extractive only
                                  self._background, self._checkpoint, self._companies)
        warm_up_dates()  # the booking flow's date parser, before the first call needs it
        # Everything built so far (Ray, pydantic, providers: ~175k objects) lives as long as
        # the actor: keep it out of the cyclic GC, whose full passes over it took ~100 ms,
        # a pause every call on this actor would hear. Serve does the same for replicas.
        gc.collect()
        gc.freeze()

    # --- the moments of a call -----------------------------------------------------------

    async def begin(self, setup: CallSetup) -> AgentReply:
        """Load the company, greet the caller."""
        async with self._new_call(setup.call_sid):
            store = self._tenant(setup.company_id)
            view = await self._companies.load(store)
            if view is None or not view.company.isActive:
                raise CompanyUnavailable(f"company {setup.company_id} is unknown or inactive")
            company, snapshot = view.company, view.snapshot
            ctx = CallContext(
                call_sid=setup.call_sid, caller_number=setup.caller_number,
                called_number=setup.called_number, started_at=datetime.now(UTC),
                contact=(await returning_caller(store, setup.caller_number)
                         if snapshot.settings.memory_enabled else None),
            )
            session = CallSession(snapshot, ctx, ConversationState.new(), CallRecord(),
                                  *await self._policies.build(store, company, snapshot, view),
                                  snapshot_document=view.snapshot_document)
            session.last = LastAnswer(INCOMING_KEY)
            self._sessions[setup.call_sid] = session
            self._uses += 1
            await self._recorder.started(session.record, session.company_id, ctx)
            greeting = session.policy.greet(session.state, ctx)
            return await self._answer(session, greeting, caller_text="", cached=True)

    async def turn(self, call_sid: str, speech: str | None, confidence: float | None = None,
                   request_key: str | None = None) -> AgentReply:
        """The caller spoke (or stayed silent: `speech` None or empty). A `request_key`
        already answered (a retried webhook) gets that answer again, not a second turn."""
        async with self._held(call_sid) as session:
            if request_key is not None and session.last.request_key == request_key:
                return await self._replay(session)
            await self._settle(session)
            session.last = LastAnswer(request_key)
            text = (speech or "").strip()
            state, ctx = session.state, session.context
            agent_turn = (session.policy.respond(state, ctx, text, confidence) if text
                          else session.policy.on_silence(state, ctx))
            return await self._answer(session, agent_turn, caller_text=text)

    async def resume(self, call_sid: str) -> AgentReply:
        """The "continue" webhook: the next ready sentences of the answer being streamed."""
        async with self._held(call_sid) as session:
            if session.answer is None:
                if not session.restored:
                    return await self._reply(session, [], None, more=False)
                rendered = await self._speech.render(SAY_AGAIN, session.voice, cached=True)
                return await self._reply(session, [rendered], None, more=False)
            return await self._take(session, session.answer)

    async def dial_finished(self, call_sid: str, dial_status: str,
                            request_key: str | None = None) -> AgentReply:
        """Twilio's `DialCallStatus` after a transfer (a retried webhook: the same answer)."""
        async with self._held(call_sid) as session:
            if request_key is not None and session.last.request_key == request_key:
                return await self._replay(session)
            await self._settle(session)
            session.last = LastAnswer(request_key)
            session.record.dial_finished(dial_status)
            agent_turn = session.policy.after_dial(session.state, session.context, dial_status)
            return await self._answer(session, agent_turn, caller_text="")

    async def repeat(self, call_sid: str) -> AgentReply:
        """The call's current answer again (a repeated incoming-call webhook)."""
        async with self._held(call_sid) as session:
            return await self._replay(session)

    async def end(self, call_sid: str, call_status: str,
                  duration_s: float | None = None) -> list[str]:
        """Report the call's end, forget its checkpoint and every trace of it in this actor
        (`call_ending`: a drafted summary follows as its own event, never waited for).
        Returns the calls still held, which the pool checks instead of asking again."""
        async with self._held(call_sid) as session:
            try:
                if session.answer is not None:
                    await session.answer.cancel()
                await self._ending.close(session, call_status, duration_s)
            finally:
                self._drop(call_sid)
        return list(self._sessions)

    async def restore(self, call_sid: str, company_id: str) -> bool:
        """Take over a call whose actor died, from its last checkpoint; False if there is none."""
        lock = self._locks.get(call_sid)
        if lock is not None:  # already held, or being taken over by another replica's request
            async with lock:
                return call_sid in self._sessions
        async with self._new_call(call_sid):
            store = self._tenant(company_id)
            data, snapshot_data = await CallSession.load_checkpoints(store, call_sid)
            if data is None or snapshot_data is None:
                return False
            snapshot, ctx, state, record, last = CallSession.checkpoint_parts(data,
                                                                             snapshot_data)
            parts = await self._policies.build(store, await store.load_company(), snapshot)
            self._sessions[call_sid] = CallSession(snapshot, ctx, state, record, *parts,
                                                   restored=True, snapshot_saved=True, last=last)
            self._uses += 1
            log.info("call_restored", call_sid=call_sid, turns=state.turn_count)
            return True

    async def describe(self) -> dict[str, Any]:
        """The held calls (`calls`); `call_sid`/`call` describe the oldest held call, or None."""
        calls = list(self._sessions)
        first = self._sessions[calls[0]] if calls else None
        return {"call_sid": first.call_sid if first else None,
                "call": first.describe() if first else None, "calls": calls,
                "capacity": self._capacity, "uses": self._uses, "pid": os.getpid()}

    async def describe_call(self, call_sid: str) -> dict[str, Any] | None:
        """One held call's description; None when this actor does not hold it."""
        session = self._sessions.get(call_sid)
        return session.describe() if session else None

    async def held_calls(self) -> list[str]:
        """The sids of the calls this actor holds (the pool's cheap cleanliness check)."""
        return list(self._sessions)

    async def ping(self) -> bool:
        return True

    # --- answering -------------------------------------------------------------------------

    async def _answer(
        self, session: CallSession, agent_turn: AgentTurn, *, caller_text: str,
        cached: bool = False,
    ) -> AgentReply:
        started = time.perf_counter()
        stored: list[Utterance] | None = None  # an answer said in one reply, audio stored

        async def finish(outcome: TurnOutcome, rendered: list[RenderedSentence]) -> None:
            nonlocal stored
            session.last.text, session.last.action = outcome.text, action_to_dict(outcome.action)
            store = self._tenant(session.company_id)
            # The turn's checkpoint (and the snapshot's, the first time) goes in the round
            # trip of its events, written only if they are in; else on its own. So does the
            # audio of an answer said in one reply (else `_reply` stores it on its own).
            said, audio = (self._speech.prepared(rendered, session.company_id)
                           if agent_turn.done else (None, []))
            recorded = await self._recorder.turn(
                session.record, session.company_id, session.context, caller_text, outcome,
                total_ms=round((time.perf_counter() - started) * 1000.0, 3),
                tts_first_byte_ms=rendered[0].first_byte_ms if rendered else None,
                then_save=lambda: [*session.checkpoint_entries(store), *audio],
            )
            stored = said if recorded else None
            spawn_follow_ups(self._background, store, session, outcome)
            session.snapshot_saved |= recorded
            if not recorded:
                await self._checkpoint(session)

        stream = AnswerStream(
            agent_turn, lambda sentence: self._speech.render(sentence, session.voice,
                                                             cached=cached), finish,
        )
        session.answer = stream
        if agent_turn.done:  # known in full: say it all in one reply
            sentences, outcome = await stream.take_all()
            return await self._reply(session, sentences, outcome, stored=stored)
        return await self._take(session, stream)

    async def _take(self, session: CallSession, stream: AnswerStream) -> AgentReply:
        try:
            sentences, outcome = await stream.take(self._options.answer_wait_s)
        except Exception:  # the policy failed mid-answer: apologise, keep listening
            log.exception("answer_failed", call_sid=session.call_sid)
            session.answer = None
            rendered = await self._speech.render(STUMBLED, session.voice, cached=True)
            return await self._reply(session, [rendered], None, more=False)
        if not sentences and outcome is None:  # nothing ready in time: hold the line
            hold = session.snapshot.lines.hold_please
            line = hold[0] if hold else "One moment please."
            sentences = [await self._speech.render(line, session.voice, cached=True)]
        return await self._reply(session, sentences, outcome)

    async def _replay(self, session: CallSession) -> AgentReply:
        """The last answer again: still streaming here, go on with it; finished (here or
        before a takeover), say it again with its action."""
        if session.answer is not None:
            return await self._take(session, session.answer)
        last = session.last
        if last.action is None:  # its actor died before finishing it: nothing recorded
            rendered = await self._speech.render(SAY_AGAIN, session.voice, cached=True)
            return await self._reply(session, [rendered], None, more=False)
        sentences = list(await asyncio.gather(*(
            self._speech.render(sentence, session.voice, cached=True)
            for sentence in split_sentences(last.text))))
        reply = await self._reply(session, sentences, None, more=False)
        return dataclasses.replace(reply, action=dict(last.action))

    async def _reply(
        self, session: CallSession, sentences: list[RenderedSentence],
        outcome: TurnOutcome | None, *, more: bool | None = None,
        stored: list[Utterance] | None = None,  # `sentences` as already stored
    ) -> AgentReply:
        if outcome is not None:
            session.answer = None
        utterances = (stored if stored is not None
                      else await self._speech.publish(sentences, session.company_id))
        snapshot = session.snapshot
        return AgentReply(
            call_sid=session.call_sid,
            utterances=tuple(utterances),
            action=action_to_dict(outcome.action) if outcome is not None else dict(LISTEN),
            more=(outcome is None) if more is None else more,
            language=snapshot.settings.language,
            speech_hints=(snapshot.company_name, *snapshot.services)[:SPEECH_HINTS],
            tier=str(outcome.tier) if outcome is not None else "",
        )

    # --- bookkeeping -------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def _new_call(self, call_sid: str) -> AsyncIterator[None]:
        """Take a call slot and the call's lock; a call not left held frees its slot."""
        if call_sid in self._locks:
            raise ActorBusy(f"this call actor already holds call {call_sid}")
        if len(self._locks) >= self._capacity:
            raise ActorBusy(f"this call actor holds {len(self._locks)} calls, its maximum")
        lock = self._locks[call_sid] = asyncio.Lock()
        try:
            async with lock:
                yield
        except BaseException:
            self._drop(call_sid)
            raise
        if call_sid not in self._sessions:  # nothing to hold (no checkpoint to restore)
            self._drop(call_sid)

    @contextlib.asynccontextmanager
    async def _held(self, call_sid: str) -> AsyncIterator[CallSession]:
        """The call's session under its lock (one webhook of a call at a time)."""
        lock = self._locks.get(call_sid)
        if lock is None or call_sid not in self._sessions:
            raise CallNotHeld(f"this call actor does not hold call {call_sid}")
        async with lock:
            session = self._sessions.get(call_sid)
            if session is None or self._locks.get(call_sid) is not lock:  # ended meanwhile
                raise CallNotHeld(f"this call actor does not hold call {call_sid}")
            yield session

    def _drop(self, call_sid: str) -> None:
        """Forget every trace of the call in this actor, freeing its slot."""
        self._sessions.pop(call_sid, None)
        self._locks.pop(call_sid, None)

    async def _settle(self, session: CallSession) -> None:
        """A new webhook while an answer still streams: let it finish (it is then recorded)."""
        if session.answer is not None:
            await session.answer.wait_finished()
            session.answer = None

    async def _checkpoint(self, session: CallSession) -> None:
        try:
            await session.save(self._tenant(session.company_id))
        except Exception:  # the call goes on here; only a crash would need the checkpoint
            log.exception("checkpoint_failed", call_sid=session.call_sid)
