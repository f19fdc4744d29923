"""`CallActor`: one Ray actor per live call, recycled from a warm pool between calls.

It holds the call's company snapshot, context, conversation state and dialogue policy,
speaks each answer sentence by sentence (see `answer_stream`), reports every event the
moment it happens and checkpoints the call after every turn, so a replacement actor can
`restore` it when this one dies. Providers are built once per actor, never per call.
After `end` the actor holds nothing of the call: the next call starts from zero.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import ray
import redis.asyncio as aioredis
import structlog

from analytics.emitter import CallEventEmitter
from runtime.actors.answer_stream import AnswerStream
from runtime.actors.call_record import CallRecord, CallRecorder
from runtime.actors.call_session import ActorBusy, CallNotHeld, CallSession, CompanyUnavailable
from runtime.actors.messages import AgentReply, CallSetup, Utterance
from runtime.actors.speech import DEFAULT_TTS_TIMEOUT_S, SpeechRenderer, voice_request
from runtime.conversation import (
    AgentTurn,
    CallContext,
    CallerContact,
    CompanySnapshot,
    ConversationState,
    DialoguePolicy,
    Listen,
    TurnOutcome,
    action_to_dict,
)
from runtime.providers.audio_store import AudioStore, SpeechCache
from runtime.providers.factory import build_language_model, build_synthesizer
from runtime.settings import Settings
from tenancy.models import ContactFields
from tenancy.registry import CompanyRegistry
from tenancy.secrets import SecretBox
from tenancy.store import TenantStore

log = structlog.get_logger(__name__)

LISTEN = action_to_dict(Listen())
SAY_AGAIN = "Sorry, I lost you for a moment. Could you say that again?"
STUMBLED = "Sorry, I had trouble with that. Could you say it again?"
SPEECH_HINTS = 20  # phrases passed to Twilio's recognizer


@dataclass(frozen=True)
class CallActorOptions:
    # Longest a single sentence may take to synthesize before it is spoken with <Say>.
    tts_timeout_s: float = DEFAULT_TTS_TIMEOUT_S
    # Longest a webhook waits for the next sentence of a streamed answer before it plays
    # a hold line and comes back (Twilio gives a webhook 15 s).
    answer_wait_s: float = 8.0


@ray.remote(num_cpus=0, max_restarts=0)
class CallActor:
    def __init__(self, settings: dict[str, Any], options: CallActorOptions | None = None) -> None:
        config = Settings(**settings)
        self._options = options or CallActorOptions()
        text_redis = aioredis.Redis.from_url(config.redis_url, decode_responses=True)
        audio_redis = aioredis.Redis.from_url(config.redis_url)  # audio is bytes
        providers = config.provider_config()
        self._llm = build_language_model(providers)
        self._speech = SpeechRenderer(
            build_synthesizer(providers), AudioStore(audio_redis), SpeechCache(audio_redis),
            self._options.tts_timeout_s,
        )
        secrets = SecretBox(config.clientsvia_secret_key.get_secret_value())
        self._registry = CompanyRegistry(text_redis, secrets)
        self._recorder = CallRecorder(CallEventEmitter(text_redis))
        self._lock = asyncio.Lock()  # one webhook of the call at a time
        self._session: CallSession | None = None
        self._uses = 0

    # --- the moments of a call -----------------------------------------------------------

    async def begin(self, setup: CallSetup) -> AgentReply:
        """Load the company, greet the caller."""
        async with self._lock:
            if self._session is not None:
                raise ActorBusy("this call actor already holds a call")
            store = self._registry.tenant(setup.company_id)
            company = await store.load_company()
            if company is None or not company.isActive:
                raise CompanyUnavailable(f"company {setup.company_id} is unknown or inactive")
            knowledge, employees = await asyncio.gather(
                store.knowledge.list(), store.employees.list()
            )
            snapshot = CompanySnapshot.from_documents(company, knowledge, employees)
            ctx = CallContext(
                call_sid=setup.call_sid, caller_number=setup.caller_number,
                called_number=setup.called_number, started_at=datetime.now(UTC),
                contact=await self._returning_caller(store, snapshot, setup.caller_number),
            )
            session = CallSession(
                snapshot, ctx, ConversationState.new(), CallRecord(),
                DialoguePolicy(snapshot, self._llm),
                voice_request(snapshot.voice, company.aiSettings.elevenLabs.apiKey),
            )
            self._session = session
            self._uses += 1
            try:
                await self._recorder.started(session.company_id, ctx)
                greeting = session.policy.greet(session.state, ctx)
                return await self._answer(session, greeting, caller_text="", cached=True)
            except BaseException:
                self._session = None
                raise

    async def turn(self, call_sid: str, speech: str | None, confidence: float | None = None
                   ) -> AgentReply:
        """The caller spoke (or stayed silent: `speech` None or empty)."""
        async with self._lock:
            session = self._held(call_sid)
            await self._settle(session)
            text = (speech or "").strip()
            state, ctx = session.state, session.context
            agent_turn = (session.policy.respond(state, ctx, text, confidence) if text
                          else session.policy.on_silence(state, ctx))
            return await self._answer(session, agent_turn, caller_text=text)

    async def resume(self, call_sid: str) -> AgentReply:
        """The "continue" webhook: the next ready sentences of the answer being streamed."""
        async with self._lock:
            session = self._held(call_sid)
            if session.answer is None:
                if not session.restored:
                    return self._reply(session, [], None, more=False)
                rendered = await self._speech.render(SAY_AGAIN, session.voice, cached=True)
                return self._reply(session, [rendered.utterance], None, more=False)
            return await self._take(session, session.answer)

    async def dial_finished(self, call_sid: str, dial_status: str) -> AgentReply:
        """Twilio's `DialCallStatus` after a transfer."""
        async with self._lock:
            session = self._held(call_sid)
            await self._settle(session)
            session.record.dial_finished(dial_status)
            agent_turn = session.policy.after_dial(session.state, session.context, dial_status)
            return await self._answer(session, agent_turn, caller_text="")

    async def end(self, call_sid: str, call_status: str, duration_s: float | None = None) -> None:
        """Report the call's end, forget its checkpoint and every trace of it in this actor."""
        async with self._lock:
            session = self._held(call_sid)
            try:
                if session.answer is not None:
                    await session.answer.cancel()
                await self._recorder.ended(
                    session.record, session.company_id, session.context,
                    call_status=call_status, duration_s=duration_s,
                    turn_count=session.state.turn_count,
                )
                store = self._registry.tenant(session.company_id)
                await self._remember_caller(store, session)
                await store.delete_checkpoint(call_sid)
            finally:
                self._session = None

    async def restore(self, call_sid: str, company_id: str) -> bool:
        """Take over a call whose actor died, from its last checkpoint; False if there is none."""
        async with self._lock:
            if self._session is not None:
                if self._session.call_sid == call_sid:
                    return True
                raise ActorBusy("this call actor already holds a call")
            store = self._registry.tenant(company_id)
            data = await store.load_checkpoint(call_sid)
            if data is None:
                return False
            snapshot, ctx, state, record = CallSession.checkpoint_parts(data)
            api_key = None
            if snapshot.voice.use_own_api_key:
                company = await store.load_company()
                api_key = company.aiSettings.elevenLabs.apiKey if company else None
            self._session = CallSession(
                snapshot, ctx, state, record, DialoguePolicy(snapshot, self._llm),
                voice_request(snapshot.voice, api_key), restored=True,
            )
            self._uses += 1
            log.info("call_restored", call_sid=call_sid, turns=state.turn_count)
            return True

    async def describe(self) -> dict[str, Any]:
        session = self._session
        return {
            "call_sid": session.call_sid if session else None,
            "uses": self._uses,
            "call": session.describe() if session else None,
        }

    async def ping(self) -> bool:
        return True

    # --- answering -------------------------------------------------------------------------

    async def _answer(
        self, session: CallSession, agent_turn: AgentTurn, *, caller_text: str,
        cached: bool = False,
    ) -> AgentReply:
        started = time.perf_counter()

        async def finish(outcome: TurnOutcome, tts_first_byte_ms: float | None) -> None:
            await self._recorder.turn(
                session.record, session.company_id, session.context, caller_text, outcome,
                total_ms=round((time.perf_counter() - started) * 1000.0, 3),
                tts_first_byte_ms=tts_first_byte_ms,
            )
            await self._checkpoint(session)

        stream = AnswerStream(
            agent_turn, lambda sentence: self._speech.render(sentence, session.voice,
                                                             cached=cached), finish,
        )
        session.answer = stream
        if agent_turn.done:  # known in full: say it all in one reply
            utterances, outcome = await stream.take_all()
            return self._reply(session, utterances, outcome)
        return await self._take(session, stream)

    async def _take(self, session: CallSession, stream: AnswerStream) -> AgentReply:
        try:
            utterances, outcome = await stream.take(self._options.answer_wait_s)
        except Exception:  # the policy failed mid-answer: apologise, keep listening
            log.exception("answer_failed", call_sid=session.call_sid)
            session.answer = None
            rendered = await self._speech.render(STUMBLED, session.voice, cached=True)
            return self._reply(session, [rendered.utterance], None, more=False)
        if not utterances and outcome is None:  # nothing ready in time: hold the line
            hold = session.snapshot.lines.hold_please
            line = hold[0] if hold else "One moment please."
            utterances = [(await self._speech.render(line, session.voice, cached=True)).utterance]
        return self._reply(session, utterances, outcome)

    def _reply(
        self, session: CallSession, utterances: list[Utterance], outcome: TurnOutcome | None,
        *, more: bool | None = None,
    ) -> AgentReply:
        if outcome is not None:
            session.answer = None
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

    def _held(self, call_sid: str) -> CallSession:
        session = self._session
        if session is None or session.call_sid != call_sid:
            raise CallNotHeld(f"this call actor does not hold call {call_sid}")
        return session

    async def _settle(self, session: CallSession) -> None:
        """A new webhook while an answer still streams: let it finish (it is then recorded)."""
        if session.answer is not None:
            await session.answer.wait_finished()
            session.answer = None

    async def _checkpoint(self, session: CallSession) -> None:
        try:
            store = self._registry.tenant(session.company_id)
            await store.save_checkpoint(session.call_sid, session.to_checkpoint())
        except Exception:  # the call goes on here; only a crash would need the checkpoint
            log.exception("checkpoint_failed", call_sid=session.call_sid)

    async def _returning_caller(
        self, store: TenantStore, snapshot: CompanySnapshot, caller_number: str
    ) -> CallerContact | None:
        if not snapshot.settings.memory_enabled:
            return None
        try:
            contact = await store.contacts.find_by_phone(caller_number)
        except Exception:
            log.exception("contact_lookup_failed")
            return None
        if contact is None:
            return None
        return CallerContact(contact.name, contact.callCount, contact.lastCallAt)

    async def _remember_caller(self, store: TenantStore, session: CallSession) -> None:
        """Count the call on the caller's contact, so the next call is recognised."""
        if not session.snapshot.settings.memory_enabled:
            return
        number = session.context.caller_number
        now = datetime.now(UTC)
        try:
            contact = await store.contacts.find_by_phone(number)
            if contact is None:
                await store.contacts.add(ContactFields(phone=number, callCount=1, lastCallAt=now))
            else:
                await store.contacts.update(contact.id, ContactFields(
                    phone=contact.phone, callCount=contact.callCount + 1, lastCallAt=now,
                ))
        except Exception:  # anonymous or malformed caller ids cannot be contacts
            log.warning("contact_not_recorded", call_sid=session.call_sid)
