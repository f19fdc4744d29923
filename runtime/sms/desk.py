"""`SmsDesk`: answers a customer's text in the API replica (no actor per text).

Per inbound text: the MessageSid is claimed once (a retried webhook gets the first
reply again and alerts nobody twice); STOP / START / HELP are honoured per number and
company; an opted-out number gets no reply; otherwise the company's dialogue policy
answers in text form (`conversation/texting.py`) from the thread's saved state, staff
are alerted through the outbox when the conversation calls for it, and the reply is
counted against the company's text limits (over them: no reply, and no model call paid
for). Replies are split into texts Twilio accepts, at most `MAX_REPLY_TEXTS` of them.

The reply goes back in the webhook's own TwiML, so it must be ready well within the 15 s
Twilio waits. A question knowledge cannot answer goes to the language model when one is
configured, under the model tier's own time budget (`TurnBudget`, as on calls), cut short
by whatever the text already spent (waiting for its thread's lock): the model is done
within `REPLY_WITHIN_S` of the webhook's arrival (a booking it asks for adds the calendar's
own timeout), and a model that is slow or failing gives the fallback line instead.
"""

from __future__ import annotations

import dataclasses
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import structlog

from runtime.actors.booking_calendar import booking_for_call
from runtime.conversation import CallContext, ConversationState, TurnBudget
from runtime.conversation.texting import StaffAlert, TextConversation
from runtime.notifications.inbox import notify_message
from runtime.notifications.text_limits import TextLimits
from runtime.providers.base import LanguageModel
from runtime.providers.calendar_factory import CalendarConfig
from runtime.providers.embedding import SentenceEmbedder
from runtime.providers.notify import SMS_MAX_BODY, sms_parts
from runtime.serve.replica_policy import replica_policy
from runtime.sms.keywords import Keyword, keyword_of
from tenancy.models import Company, utc_now
from tenancy.models.messages import TakenMessage
from tenancy.models.sms import SmsThread, ThreadText
from tenancy.notification_book import Outbox
from tenancy.registry import CompanyRegistry
from tenancy.store import TenantStore

log = structlog.get_logger(__name__)

MAX_REPLY_TEXTS = 3  # a longer answer is trimmed: texts are billed per segment
TRIMMED = "…"
SORRY = "Sorry, something went wrong on our side. Please call us{phone}."
# From the webhook's arrival to the model's last word: Twilio gives up after 15 s.
REPLY_WITHIN_S = 10.0


@dataclass(frozen=True)
class InboundText:
    message_sid: str
    from_: str  # the customer's number (E.164)
    to: str  # the company's number
    body: str
    opt_out_type: str = ""  # Twilio's OptOutType (STOP|START|HELP), with Advanced Opt-Out


def reply_texts(text: str) -> list[str]:
    """`text` as at most `MAX_REPLY_TEXTS` texts Twilio accepts (the rest trimmed)."""
    parts = sms_parts(text)
    if len(parts) > MAX_REPLY_TEXTS:
        parts = parts[:MAX_REPLY_TEXTS]
        parts[-1] = parts[-1][:SMS_MAX_BODY - len(TRIMMED)].rstrip() + TRIMMED
    return [part for part in parts if part]


def text_budget(spent_s: float, budget: TurnBudget = TurnBudget()) -> TurnBudget:
    """The model tier's `budget` for a text whose webhook has spent `spent_s` already,
    cut to what is left of `REPLY_WITHIN_S` (none left: the fallback line at once)."""
    left = max(REPLY_WITHIN_S - spent_s, 0.0)
    return dataclasses.replace(budget, first_token_s=min(budget.first_token_s, left),
                               total_s=min(budget.total_s, left))


def alert_id(message_sid: str) -> str:
    return hashlib.sha256(f"sms:{message_sid}".encode()).hexdigest()[:24]


class SmsDesk:
    def __init__(self, registry: CompanyRegistry, embedder: SentenceEmbedder,
                 calendar: CalendarConfig, limits: TextLimits, outbox: Outbox | None = None,
                 clock: Callable[[], datetime] = utc_now, *,
                 llm: LanguageModel | None = None,
                 timer: Callable[[], float] = time.monotonic) -> None:
        self._registry = registry
        self.llm = llm  # answers what knowledge cannot (None: the fallback lines do)
        self._embedder = embedder
        self._calendar = calendar
        self._limits = limits
        self._outbox = outbox or Outbox()
        self._clock = clock
        self._timer = timer  # seconds, for the time a text's webhook has spent

    async def answer(self, company: Company, text: InboundText) -> list[str]:
        """The texts to reply with (none: `<Response/>`), once per MessageSid."""
        arrived = self._timer()
        store = self._registry.tenant(company.id)
        text = dataclasses.replace(text, body=text.body[:SMS_MAX_BODY])  # Twilio's longest
        if not await store.sms.claim(text.message_sid):
            return await store.sms.answered(text.message_sid) or []
        try:
            async with store.sms.lock(text.from_):
                replies = await self._handle(store, company, text, arrived)
        except Exception:  # the customer gets an apology, never Twilio's error
            log.exception("sms_answer_failed", company_id=company.id)
            phone = f" at {company.companyPhone}" if company.companyPhone else ""
            replies = [SORRY.format(phone=phone)]
        await store.sms.remember(text.message_sid, replies)
        return replies

    async def _handle(self, store: TenantStore, company: Company, text: InboundText,
                      arrived: float) -> list[str]:
        keyword = keyword_of(text.opt_out_type) or keyword_of(text.body)
        opted_out = await store.sms.opted_out(text.from_)
        thread = await store.sms.thread(text.from_) or SmsThread(
            number=text.from_, companyNumber=text.to)
        thread.add(ThreadText(role="customer", text=text.body, messageSid=text.message_sid,
                              at=self._clock()))
        reply, may_reply = "", None  # may_reply: counted against the caps (None: not yet)
        if keyword is Keyword.STOP:  # Twilio confirms it and would block a reply of ours
            await store.sms.opt_out(text.from_)
        elif keyword is Keyword.START and opted_out:
            await store.sms.opt_in(text.from_)
            reply = (f"{company.companyName}: you will get our texts again. "
                     "Reply HELP for help, STOP to opt out.")
        elif opted_out:
            pass  # never texted again until START, not even HELP's answer
        elif keyword is Keyword.HELP:
            reply = help_text(company)
        else:  # counted first: over its cap a number's text is still read (an emergency
            # still alerts the staff) but pays for no model call, and gets no reply
            may_reply = await self._may_reply(company, text)
            reply = await self._converse(store, company, thread, text, arrived,
                                         self.llm if may_reply else None)
        replies = reply_texts(reply) if reply else []
        if replies and may_reply is None:
            may_reply = await self._may_reply(company, text)
        if not may_reply:
            replies = []
        for part in replies:
            thread.add(ThreadText(role="agent", text=part, at=self._clock()))
        await store.sms.save(thread)
        return replies

    async def _may_reply(self, company: Company, text: InboundText) -> bool:
        """Count a reply against the company's text caps; False when over them."""
        refusal = await self._limits.refusal(company.id, text.from_)
        if refusal is not None:
            log.warning("sms_reply_refused", company_id=company.id, reason=refusal)
        return refusal is None

    async def _converse(self, store: TenantStore, company: Company, thread: SmsThread,
                        text: InboundText, arrived: float, model: LanguageModel | None
                        ) -> str:
        booking = await booking_for_call(store, company, self._calendar, source="sms")
        policy, _ = await replica_policy(
            store, company, self._embedder, booking, text_model=model,
            budget=text_budget(self._timer() - arrived))
        state = (ConversationState.from_dict(thread.policyState) if thread.policyState
                 else ConversationState.new())
        ctx = CallContext(call_sid=text.message_sid, caller_number=text.from_,
                          called_number=text.to, started_at=self._clock(),
                          number_verified=True)
        earlier = [t.text for t in thread.texts[:-1] if t.role == "customer"]
        reply = await TextConversation(policy).reply(state, ctx, text.body, earlier)
        thread.policyState = reply.state.to_dict()
        if reply.alert is not None:
            await self._alert_staff(store, text, reply.alert)
        return reply.text

    async def _alert_staff(self, store: TenantStore, text: InboundText, alert: StaffAlert
                           ) -> None:
        """An inbox entry (handled there, like a call's message) and the staff's texts."""
        message = TakenMessage(
            _id=alert_id(text.message_sid), callSid=text.message_sid, callerNumber=text.from_,
            text=alert.text[:4000], urgent=alert.urgent, source="sms")
        if await store.messages.keep(message):
            await notify_message(store, message, self._outbox, self._clock(),
                                 None if alert.urgent else "sms_handoff")


def help_text(company: Company) -> str:
    contact = [f"call {company.companyPhone}" if company.companyPhone else "",
               f"email {company.companyEmail}" if company.companyEmail else ""]
    reach = " or ".join(c for c in contact if c) or "reply to this text"
    return (f"{company.companyName}: to reach us, {reach}. Text us your question any time. "
            "Reply STOP to opt out.")
