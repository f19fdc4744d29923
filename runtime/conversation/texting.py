"""The dialogue policy answering texts instead of calls (pure: no I/O).

Each inbound text is one caller utterance. What a call would do that a text cannot
becomes a `StaffAlert` for the caller of this module to send: an emergency alerts the
on-call staff at once (the reply carries the hazard's safety lines), a request for a
person during hours alerts the team, and a message taken (after hours) is passed on.
A conversation that ended (goodbye, message taken) starts afresh with the next text.
"""

from __future__ import annotations

from dataclasses import dataclass

from runtime.conversation.context import CallContext
from runtime.conversation.outcome import Hangup, TakeMessage, Tier, Transfer, TurnOutcome
from runtime.conversation.policy import DialoguePolicy
from runtime.conversation.state import ConversationState, Mode

KEPT_HISTORY = 20  # policy history entries a thread keeps between texts
ONLY_TEXT = "Sorry, I can only read text messages. How can we help?"
HANDED_OFF = ("I've asked our team to get back to you at this number shortly. "
              "Is there anything else I can help with meanwhile?")
ALERTED = "I've alerted our on-call team and someone will contact you right away."
MESSAGE_PASSED = "Thank you, I've passed your message on and someone will get back to you {when}."


@dataclass(frozen=True)
class StaffAlert:
    """Tell the company's people: what the customer wants, and whether it is urgent."""

    text: str
    urgent: bool


@dataclass(frozen=True)
class TextReply:
    text: str
    state: ConversationState  # to keep for the customer's next text
    outcome: TurnOutcome | None = None
    alert: StaffAlert | None = None


class TextConversation:
    def __init__(self, policy: DialoguePolicy) -> None:
        self._policy = policy

    async def reply(self, state: ConversationState, ctx: CallContext, text: str,
                    earlier: list[str]) -> TextReply:
        """Answer `text`; `earlier` are the customer's previous texts (for staff alerts)."""
        if state.ended or state.mode is Mode.TRANSFERRING:
            state = ConversationState(history=state.history)
        if not text.strip():
            return TextReply(ONLY_TEXT, state)
        outcome = await self._policy.respond(state, ctx, text).complete()
        state.history = state.history[-KEPT_HISTORY:]
        action = outcome.action
        if str(outcome.tier) == Tier.EMERGENCY:
            _converse(state)
            return TextReply(self._emergency_text(outcome), state, outcome,
                             StaffAlert(text, urgent=True))
        if isinstance(action, Transfer):
            _converse(state)
            context = " / ".join([*earlier[-2:], text])
            return TextReply(HANDED_OFF, state, outcome,
                             StaffAlert(f"Asks for a person by text: {context}", urgent=False))
        if isinstance(action, TakeMessage):
            when = "as soon as possible" if action.urgent else "soon"
            return TextReply(MESSAGE_PASSED.format(when=when), state, outcome,
                             StaffAlert(action.message, urgent=action.urgent))
        if isinstance(action, Hangup):
            state.ended = True
            # the closing line is written for calls ("Thanks for calling ...")
            return TextReply(outcome.text.replace(" for calling ", " for texting "), state,
                             outcome)
        return TextReply(outcome.text, state, outcome)

    def _emergency_text(self, outcome: TurnOutcome) -> str:
        advice = outcome.safety_advice or "This sounds urgent."
        phone = self._policy.snapshot.company_phone
        call = f" You can also call us now at {phone}." if phone else ""
        return f"{advice} {ALERTED}{call}"


def _converse(state: ConversationState) -> None:
    """Back to answering questions: a text has no line to transfer or message to wait for."""
    state.mode = Mode.CONVERSATION
    state.transfer_priority = False
    state.message_urgent = False
    state.message_context = ""
