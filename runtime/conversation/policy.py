"""`DialoguePolicy`: decides every agent reply of a call, tier by tier.

Per caller utterance, in order: emergency (any trade's, by phrase or meaning) → the current
mode (message being taken, offer awaiting an answer, booking) → goodbye → request for a
person or to leave a message → frustration escalation → unsure transcript (ask again) →
booking intent → company Q&A → trade Q&A (hybrid scores, `meaning.py`; an entry answers
only about what is asked: `subject.py`, `asked_thing.py`) → service area → language model →
fallback lines. The utterance is embedded once per turn, through the
`MeaningScorer` handed in. Everything before the language model is decided synchronously
in `respond()`; the model tier streams its sentences through the returned `AgentTurn`.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from runtime.conversation.asked_thing import on_topic
from runtime.conversation.booking import BookingHandler
from runtime.conversation.company_reading import CompanyReading
from runtime.conversation.context import CallContext
from runtime.conversation.hazards import recognise_emergency
from runtime.conversation.hours import is_open
from runtime.conversation.intents import (
    OfferChoice,
    asks_for_message,
    asks_for_person,
    closes_call,
    is_goodbye,
    offer_choice,
    wants_booking,
)
from runtime.conversation.knowledge import (
    DECENT_MATCH,
    KnowledgeMatch,
    content_words,
)
from runtime.conversation.llm_stream import TurnBudget
from runtime.conversation.llm_tier import LlmTier
from runtime.conversation.meaning import (
    NO_MEANING,
    MeaningScorer,
    MeaningScores,
    Ranked,
    clearly_better,
    rank,
)
from runtime.conversation.outcome import AgentTurn, Listen, Tier, TurnOutcome
from runtime.conversation.prompt import Channel
from runtime.conversation.replies import Replies
from runtime.conversation.sentences import split_sentences
from runtime.conversation.sentiment import frustration_score
from runtime.conversation.service_area import named_town, service_area_answer
from runtime.conversation.snapshot import CompanySnapshot, KnowledgeEntry
from runtime.conversation.state import ConversationState, Mode
from runtime.providers.base import LanguageModel
from tenancy.catalog.intent_examples import MESSAGE, PERSON

LOW_STT_CONFIDENCE = 0.4  # transcripts below this are treated as not understood
SILENCE_REPROMPTS = 1  # reprompts before hanging up on a silent caller
PROMPT_KNOWLEDGE_ENTRIES = 5  # knowledge entries put into the model's system prompt


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class TurnFacts:
    """What is measured about a turn while it is decided."""

    started: float
    sentiment: float | None = None
    meaning: MeaningScores = NO_MEANING
    timings_ms: dict[str, float] = field(default_factory=dict)

    def elapsed_ms(self) -> float:
        return round((time.perf_counter() - self.started) * 1000.0, 3)


@dataclass(frozen=True)
class TurnMatches:
    """Knowledge matches of one utterance, best first; `*_answer` are the decisive ones."""

    company: list[KnowledgeMatch]
    company_answer: KnowledgeMatch | None
    trade: KnowledgeMatch | None
    trade_answer: KnowledgeMatch | None
    other_trade: KnowledgeMatch | None  # best of the trades the company does not list

    def top_company(self) -> KnowledgeMatch | None:
        return self.company[0] if self.company else None


class DialoguePolicy:
    def __init__(
        self,
        snapshot: CompanySnapshot,
        llm: LanguageModel | None,
        *,
        clock: Callable[[], datetime] = _utc_now,
        budget: TurnBudget = TurnBudget(),
        booking: BookingHandler | None = None,
        meaning: MeaningScorer | None = None,
        reading: CompanyReading | None = None,  # the company view's, built once per version
        channel: Channel = "call",  # how the model's words reach the customer (prompt.py)
    ) -> None:
        self.snapshot = snapshot
        self._clock = clock
        self._booking = booking
        self._meaning = meaning
        self._replies = Replies(snapshot)
        reading = reading or CompanyReading.of(snapshot)
        self._company_index = reading.company_index
        self._trade_indexes = reading.trade_indexes
        self._other_trade_indexes = reading.other_trade_indexes
        self._vocabulary = reading.vocabulary
        self._emergencies = reading.emergencies
        self._llm_tier = (
            LlmTier(snapshot, llm, self._replies, budget, booking, clock, channel)
            if llm is not None else None
        )

    # --- the four moments of a call ------------------------------------------------------

    def greet(self, state: ConversationState, ctx: CallContext) -> AgentTurn:
        facts = TurnFacts(time.perf_counter())
        self._refresh_hours(state)
        return AgentTurn.fixed(self._finish(state, self._replies.greeting(state, ctx), facts))

    def respond(
        self,
        state: ConversationState,
        ctx: CallContext,
        utterance: str,
        stt_confidence: float | None = None,
    ) -> AgentTurn:
        text = utterance.strip()
        if not text:
            return self.on_silence(state, ctx)
        facts = TurnFacts(time.perf_counter())
        state.turn_count += 1
        state.silences = 0
        state.add("caller", text)
        self._refresh_hours(state)
        facts.sentiment = frustration_score(text, self.snapshot.settings.escalation_phrases)
        state.sentiment_history.append(facts.sentiment)
        decided = self._decide(state, ctx, text, stt_confidence, facts)
        if isinstance(decided, AgentTurn):
            return decided
        return AgentTurn.fixed(self._finish(state, decided, facts))

    def after_dial(self, state: ConversationState, ctx: CallContext, dial_status: str) -> AgentTurn:
        """Twilio's `DialCallStatus` after a transfer: connected → hang up, else take a message."""
        facts = TurnFacts(time.perf_counter())
        outcome = self._replies.after_dial(state, ctx, dial_status)
        return AgentTurn.fixed(self._finish(state, outcome, facts))

    def on_silence(self, state: ConversationState, ctx: CallContext) -> AgentTurn:
        facts = TurnFacts(time.perf_counter())
        outcome = self._replies.silence(state, ctx, SILENCE_REPROMPTS)
        return AgentTurn.fixed(self._finish(state, outcome, facts))

    # --- deciding a turn -----------------------------------------------------------------

    def _decide(
        self,
        state: ConversationState,
        ctx: CallContext,
        text: str,
        stt_confidence: float | None,
        facts: TurnFacts,
    ) -> TurnOutcome | AgentTurn:
        replies = self._replies
        if state.ended:
            return replies.goodbye(state, ctx)
        facts.meaning = self._score(text, facts)
        emergency = recognise_emergency(text, self._emergencies, facts.meaning)
        if emergency is not None:
            return replies.emergency(state, ctx, emergency, text)
        moded = self._decide_in_mode(state, ctx, text, facts)
        if moded is not None:
            return moded
        if closes_call(text, facts.meaning):
            return replies.goodbye(state, ctx)
        if asks_for_person(text):
            return replies.to_person(state, ctx, Tier.TRANSFER, "caller asked for a person")
        if asks_for_message(text):
            return replies.start_message(state, ctx, Tier.MESSAGE)
        if facts.meaning.means(PERSON):  # after the message phrases: "leave a message for..."
            return replies.to_person(state, ctx, Tier.TRANSFER, "caller asked for a person")
        if facts.meaning.means(MESSAGE) and not wants_booking(text):  # "leave my number"
            return replies.start_message(state, ctx, Tier.MESSAGE)
        settings = self.snapshot.settings
        sentiment = facts.sentiment or 0.0
        if settings.escalation_enabled and sentiment >= settings.sentiment_threshold:
            return replies.to_person(
                state, ctx, Tier.ESCALATION, f"caller frustration {sentiment:.2f}",
                preface="I'm sorry about the trouble.",
            )
        if stt_confidence is not None and stt_confidence < LOW_STT_CONFIDENCE:
            return replies.miss(state, ctx, out_of_category=False, reason="low_stt_confidence")
        if self._booking is not None and self._booking.wants(state, text):
            return self._booking_turn(self._booking, state, ctx, text, facts)
        if self._booking is None and self._llm_tier is None and wants_booking(text):
            # nothing here can book or talk it through: a person can (a message after hours)
            return replies.to_person(state, ctx, Tier.TRANSFER, "caller wants an appointment")
        return self._answer(state, ctx, text, facts)

    def _decide_in_mode(
        self, state: ConversationState, ctx: CallContext, text: str, facts: TurnFacts
    ) -> TurnOutcome | AgentTurn | None:
        # a short goodbye ends the call even mid-message or mid-booking ("never mind, bye")
        leaving = is_goodbye(text) and len(text.split()) <= 3
        if state.mode is Mode.MESSAGE:
            if leaving:
                return self._replies.goodbye(state, ctx)
            return self._replies.record_message(state, ctx, text)
        if state.mode is Mode.BOOKING and self._booking is not None:
            if leaving:
                state.slots.clear()
                return self._replies.goodbye(state, ctx)
            return self._booking_turn(self._booking, state, ctx, text, facts)
        if state.mode is Mode.OFFER:
            choice = offer_choice(text)
            if choice is OfferChoice.TRANSFER:
                return self._replies.to_person(state, ctx, Tier.TRANSFER, "caller accepted offer")
            if choice is OfferChoice.MESSAGE:
                return self._replies.start_message(state, ctx, Tier.MESSAGE)
            if choice is OfferChoice.DECLINE:
                return self._replies.declined_offer(state)
        state.mode = Mode.CONVERSATION
        return None

    def _answer(
        self, state: ConversationState, ctx: CallContext, text: str, facts: TurnFacts
    ) -> TurnOutcome | AgentTurn:
        matches = self._match(text, facts)
        matches = dataclasses.replace(  # "does the bank open", "do you clean chimneys": not ours
            matches, company_answer=on_topic(text, matches.company_answer, self._vocabulary),
            trade_answer=on_topic(text, matches.trade_answer, self._vocabulary))
        company_answer = matches.company_answer if self.snapshot.settings.knowledge_enabled \
            else None
        if company_answer is not None and not clearly_better(matches.trade_answer,
                                                              company_answer):
            return self._knowledge_answer(state, ctx, company_answer, Tier.KNOWLEDGE)
        if matches.trade_answer is not None:
            return self._knowledge_answer(state, ctx, matches.trade_answer, Tier.TRADE_KNOWLEDGE)
        town = named_town(text, self.snapshot.service_area)
        if town is not None:
            state.consecutive_misses = 0
            answer = service_area_answer(town, self.snapshot.service_area)
            return TurnOutcome(answer, Listen(), Tier.KNOWLEDGE, confidence=1.0)
        if self._llm_tier is not None:
            company = matches.top_company()
            return AgentTurn(
                self._llm_tier.events(
                    state, ctx, self._prompt_knowledge(matches),
                    fallback=lambda reason: self._fallback(state, ctx, matches, reason),
                    finish=lambda outcome: self._finish(state, outcome, facts),
                    knowledge_confidence=company.confidence if company else 0.0,
                )
            )
        return self._miss(state, ctx, matches, reason=None)

    def _score(self, text: str, facts: TurnFacts) -> MeaningScores:
        """The utterance's meaning, embedded once for the whole turn."""
        if self._meaning is None:
            return NO_MEANING
        started = time.perf_counter()
        scores = self._meaning.score(text)
        facts.timings_ms["meaning"] = round((time.perf_counter() - started) * 1000.0, 3)
        return scores

    def rankings(self, text: str, meaning: MeaningScores) -> tuple[Ranked, Ranked, Ranked]:
        """The company's, its trades' and the other trades' entries ranked for `text`."""
        foreign = self._vocabulary.foreign_share(content_words(text))
        return (rank([self._company_index], text, meaning, foreign),
                rank(self._trade_indexes, text, meaning, foreign),
                rank(self._other_trade_indexes, text, meaning, foreign))

    def _match(self, text: str, facts: TurnFacts) -> TurnMatches:
        started = time.perf_counter()
        threshold = self.snapshot.settings.knowledge_threshold
        company, trade, other = self.rankings(text, facts.meaning)
        facts.timings_ms["match"] = round((time.perf_counter() - started) * 1000.0, 3)
        return TurnMatches(
            company.matches[:PROMPT_KNOWLEDGE_ENTRIES], company.decisive(threshold),
            trade.best, trade.decisive(threshold), other.best,
        )

    def _knowledge_answer(
        self, state: ConversationState, ctx: CallContext, match: KnowledgeMatch, tier: Tier,
        reason: str | None = None,
    ) -> TurnOutcome:
        state.consecutive_misses = 0
        is_company = not match.entry.id.startswith("trade:")
        return TurnOutcome(
            self._replies.fill(match.entry.answer, ctx), Listen(), tier,
            confidence=match.confidence, fallback_reason=reason,
            knowledge_id=match.entry.id if is_company else None,
        )

    def _miss(
        self, state: ConversationState, ctx: CallContext, matches: TurnMatches,
        reason: str | None,
    ) -> TurnOutcome:
        threshold = self.snapshot.settings.knowledge_threshold
        other, ours = matches.other_trade, matches.trade
        elsewhere = other is not None and other.confidence >= threshold and (
            ours is None or other.confidence > ours.confidence)
        return self._replies.miss(state, ctx, out_of_category=elsewhere, reason=reason)

    def _fallback(
        self, state: ConversationState, ctx: CallContext, matches: TurnMatches, reason: str,
    ) -> TurnOutcome:
        """The model failed: give the best decent knowledge answer, else a fallback line."""
        candidates = [matches.trade] if matches.trade is not None else []
        company = matches.top_company()
        if self.snapshot.settings.knowledge_enabled and company is not None:
            candidates.append(company)
        best = max(candidates, key=lambda match: match.confidence, default=None)
        if best is not None and best.confidence >= DECENT_MATCH:
            return self._knowledge_answer(state, ctx, best, Tier.FALLBACK, reason)
        return self._miss(state, ctx, matches, reason)

    def _prompt_knowledge(self, matches: TurnMatches) -> list[KnowledgeEntry]:
        chosen = [match.entry for match in matches.company if match.confidence > 0.1]
        for entry in self.snapshot.knowledge:
            if len(chosen) >= PROMPT_KNOWLEDGE_ENTRIES:
                break
            if entry not in chosen:
                chosen.append(entry)
        return chosen

    def _booking_turn(
        self,
        handler: BookingHandler,
        state: ConversationState,
        ctx: CallContext,
        text: str,
        facts: TurnFacts,
    ) -> AgentTurn:
        async def events() -> AsyncIterator[str | TurnOutcome]:
            state.mode = Mode.BOOKING
            outcome = self._booking_aside(handler, state, ctx, text, facts)
            if outcome is None:
                try:
                    reply = await handler.reply(self.snapshot, state, ctx, text)
                except Exception as exc:  # a broken booking must not break the call
                    state.mode = Mode.CONVERSATION
                    reason = f"booking_error: {type(exc).__name__}"
                    outcome = self._miss(state, ctx, self._match(text, facts), reason)
                else:
                    outcome = self._replies.apply_booking(state, reply)
            final = self._finish(state, outcome, facts)
            for sentence in split_sentences(final.text):
                yield sentence
            yield final

        return AgentTurn(events())

    def _booking_aside(
        self, handler: BookingHandler, state: ConversationState, ctx: CallContext, text: str,
        facts: TurnFacts,
    ) -> TurnOutcome | None:
        """A question mid-booking ("is there a fee?"): answer it from knowledge, then re-ask."""
        if not handler.is_aside(state, text):
            return None
        matches = self._match(text, facts)
        company = matches.top_company() if self.snapshot.settings.knowledge_enabled else None
        best = max((m for m in (company, matches.trade) if m is not None),
                   key=lambda match: match.confidence, default=None)
        if best is None or best.confidence < self.snapshot.settings.knowledge_threshold:
            return None
        tier = Tier.KNOWLEDGE if best is company else Tier.TRADE_KNOWLEDGE
        answer = self._knowledge_answer(state, ctx, best, tier)
        resume = handler.resume_prompt(self.snapshot, state, ctx)
        return dataclasses.replace(answer, text=f"{answer.text} {resume}")

    # --- bookkeeping ---------------------------------------------------------------------

    def _finish(
        self, state: ConversationState, outcome: TurnOutcome, facts: TurnFacts
    ) -> TurnOutcome:
        """Record the agent's words in the history and stamp the turn's measurements."""
        state.add("agent", outcome.text)
        timings = {**facts.timings_ms, **outcome.timings_ms, "total": facts.elapsed_ms()}
        return dataclasses.replace(outcome, timings_ms=timings, sentiment=facts.sentiment)

    def _refresh_hours(self, state: ConversationState) -> None:
        state.after_hours = not is_open(self.snapshot.hours, self._clock(), self.snapshot.timezone)
