"""The policy's fixed replies: greetings, transfers, message taking, goodbyes, fallbacks.

Each method updates the conversation state the way its reply implies (mode, misses,
ended...) and returns the `TurnOutcome` without timings; the policy adds those.
"""

from __future__ import annotations

import dataclasses

from runtime.conversation import message_taking
from runtime.conversation.booking import BookingReply
from runtime.conversation.context import CallContext
from runtime.conversation.intents import Emergency
from runtime.conversation.outcome import Hangup, Listen, TakeMessage, Tier, Transfer, TurnOutcome
from runtime.conversation.routing import emergency_target, staff_target, transfer_caller_id
from runtime.conversation.snapshot import CompanySnapshot
from runtime.conversation.state import ConversationState, Mode
from runtime.conversation.text import fill_template

REPROMPT = "Sorry, I didn't hear anything. Are you still there?"
NOBODY_ANSWERED = "I'm sorry, nobody could pick up right now."
AFTER_HOURS_NOBODY = "Our team is away right now, but I can make sure they get back to you."
DECLINED_OFFER = "No problem. What else can I help you with?"
URGENT_MESSAGE = "I'll flag your message as urgent for our team."
DIAL_CONNECTED = ("completed", "answered")


class Replies:
    def __init__(self, snapshot: CompanySnapshot) -> None:
        self._snapshot = snapshot
        self._lines = snapshot.lines

    def fill(self, template: str, ctx: CallContext) -> str:
        caller = ctx.contact.name if ctx.contact else ""
        return fill_template(
            template,
            {
                "companyName": self._snapshot.company_name,
                "companyPhone": self._snapshot.company_phone or "",
                "callerName": caller,
            },
        )

    def greeting(self, state: ConversationState, ctx: CallContext) -> TurnOutcome:
        template = self._lines.after_hours_greeting if state.after_hours else self._lines.greeting
        text = self.fill(template, ctx)
        contact = ctx.contact
        settings = self._snapshot.settings
        if contact is not None and contact.call_count > 0 and settings.memory_enabled:
            first_name = contact.name.split()[0] if contact.name.strip() else ""
            if first_name and settings.personalization_level != "low":
                text = f"Hi {first_name}, welcome back! {text}"
            else:
                text = f"Welcome back! {text}"
        state.greeted = True
        return TurnOutcome(text, Listen(), Tier.GREETING)

    def emergency(
        self, state: ConversationState, ctx: CallContext, emergency: Emergency, utterance: str
    ) -> TurnOutcome:
        target = emergency_target(self._snapshot, ctx)
        advice = f"{emergency.advice} " if emergency.advice else ""
        if target is None:
            return dataclasses.replace(self.start_message(
                state, ctx, Tier.EMERGENCY,
                preface=f"{advice}This sounds urgent, so {URGENT_MESSAGE}",
                urgent=True, context=utterance,
            ), safety_advice=emergency.advice)
        state.mode = Mode.TRANSFERRING
        state.transfer_priority = True
        state.message_context = utterance  # the urgent message's start if nobody answers
        state.emergency_advice = emergency.advice
        text = (f"{advice}This sounds like an emergency, so I'm connecting you with {target.who} "
                "right now. Please stay on the line.")
        action = Transfer(target.number, transfer_caller_id(self._snapshot, ctx),
                          f"emergency: {emergency.label}", priority=True)
        return TurnOutcome(text, action, Tier.EMERGENCY, confidence=1.0,
                           safety_advice=emergency.advice)

    def to_person(
        self, state: ConversationState, ctx: CallContext, tier: Tier, reason: str,
        preface: str = "",
    ) -> TurnOutcome:
        """Transfer during hours; after hours (or with nobody to ring) take a message."""
        target = None if state.after_hours else staff_target(self._snapshot, ctx)
        if target is None:
            message_tier = tier if tier is Tier.ESCALATION else Tier.MESSAGE
            return self.start_message(
                state, ctx, message_tier, preface=f"{preface} {AFTER_HOURS_NOBODY}".strip()
            )
        state.mode = Mode.TRANSFERRING
        state.transfer_priority = False
        text = f"{preface} {self.fill(self._lines.transfer, ctx)}".strip()
        action = Transfer(target.number, transfer_caller_id(self._snapshot, ctx), reason)
        return TurnOutcome(text, action, tier)

    def start_message(
        self, state: ConversationState, ctx: CallContext, tier: Tier, *, preface: str = "",
        urgent: bool = False, context: str = "",
    ) -> TurnOutcome:
        """Switch to message taking: the caller's next utterance is the message."""
        state.mode = Mode.MESSAGE
        state.message_urgent = state.message_urgent or urgent
        state.message_context = context
        message_taking.begin(state)
        text = f"{preface} {self.fill(self._lines.message_prompt, ctx)}".strip()
        return TurnOutcome(text, Listen(), tier)

    def record_message(
        self, state: ConversationState, ctx: CallContext, utterance: str
    ) -> TurnOutcome:
        """The caller's answer while a message is taken: the next question, or done."""
        taken = message_taking.take(state, ctx, utterance)
        if isinstance(taken, str):
            state.mode = Mode.MESSAGE
            return TurnOutcome(taken, Listen(), Tier.MESSAGE)
        when = "as soon as possible" if taken.urgent else "soon"
        text = (f"Thank you, I've passed your message on and someone will call you back {when}. "
                f"{self.fill(self._lines.closing, ctx)}")
        self._end(state)
        return TurnOutcome(text, taken, Tier.MESSAGE)

    def goodbye(self, state: ConversationState, ctx: CallContext) -> TurnOutcome:
        self._end(state)
        return TurnOutcome(self.fill(self._lines.closing, ctx), Hangup(), Tier.GOODBYE)

    def miss(self, state: ConversationState, ctx: CallContext, *, out_of_category: bool,
             reason: str | None) -> TurnOutcome:
        """Nothing could answer: a personality line, or after repeated misses the offer."""
        state.consecutive_misses += 1
        if state.consecutive_misses >= self._snapshot.settings.max_misses_before_offer:
            state.consecutive_misses = 0
            state.mode = Mode.OFFER
            line = state.next_line("offer_help", self._lines.offer_help)
            return TurnOutcome(self.fill(line, ctx), Listen(), Tier.OFFER, fallback_reason=reason)
        kind, lines = (("out_of_category", self._lines.out_of_category) if out_of_category
                       else ("cant_understand", self._lines.cant_understand))
        if reason == "low_stt_confidence" and self._lines.speak_clearly:
            kind, lines = "speak_clearly", self._lines.speak_clearly
        line = state.next_line(kind, lines)
        return TurnOutcome(self.fill(line, ctx), Listen(), Tier.FALLBACK, fallback_reason=reason)

    def apply_booking(self, state: ConversationState, reply: BookingReply) -> TurnOutcome:
        """Follow a booking handler's reply: mode, end of call, transfer, message taking."""
        if reply.take_message:
            state.mode = Mode.MESSAGE
            state.message_context = reply.message_context
            message_taking.begin(state)
        elif isinstance(reply.action, Hangup | TakeMessage):
            self._end(state)
        elif isinstance(reply.action, Transfer):
            state.mode = Mode.TRANSFERRING
        else:
            state.mode = Mode.CONVERSATION if reply.done else Mode.BOOKING
        if reply.done or not isinstance(reply.action, Listen):
            state.consecutive_misses = 0
        return TurnOutcome(reply.text, reply.action, Tier.BOOKING, confidence=reply.confidence,
                           appointment=reply.appointment)

    def declined_offer(self, state: ConversationState) -> TurnOutcome:
        state.mode = Mode.CONVERSATION
        return TurnOutcome(DECLINED_OFFER, Listen(), Tier.OFFER)

    def after_dial(self, state: ConversationState, ctx: CallContext, status: str) -> TurnOutcome:
        if status.lower() in DIAL_CONNECTED:
            self._end(state)
            return TurnOutcome("", Hangup(), Tier.TRANSFER)
        if not state.transfer_priority:
            return self.start_message(state, ctx, Tier.MESSAGE, preface=NOBODY_ANSWERED)
        # an emergency nobody took: the safety lines again, and an urgent message that
        # starts with what the caller reported (the notifications escalate it)
        state.transfer_priority = False
        preface = " ".join(part for part in (NOBODY_ANSWERED, state.emergency_advice,
                                             URGENT_MESSAGE) if part)
        return self.start_message(state, ctx, Tier.MESSAGE, preface=preface, urgent=True,
                                  context=state.message_context)

    def silence(self, state: ConversationState, ctx: CallContext, reprompts: int) -> TurnOutcome:
        state.silences += 1
        if state.silences > reprompts:
            self._end(state)
            return TurnOutcome(self.fill(self._lines.closing, ctx), Hangup(), Tier.SILENCE)
        follow_up = (self.fill(self._lines.message_prompt, ctx) if state.mode is Mode.MESSAGE
                     else "How can I help you?")
        return TurnOutcome(f"{REPROMPT} {follow_up}", Listen(), Tier.SILENCE)

    @staticmethod
    def _end(state: ConversationState) -> None:
        state.mode = Mode.ENDED
        state.ended = True
