"""Calls no agent took: into the company's call log, and the caller texted back.

When the incoming-call webhook refuses a call (the company's call budget spent, no warm
actor free, the pool down, the gateway failing), the call never reaches a call actor, so
nothing else would record it: a caller who heard "all lines are busy" at 2 a.m. would be
lost without a trace. Reporting it is one event (one Redis round trip on the caller's way
to the refusal, its id derived from the CallSid, so a retried webhook is the same fact);
the missed-call text-back takes several round trips and runs after, through the post-call
path (the company's `postCallTexts`, outbox, opt-outs, limits, quiet hours). A call that
was forwarded to the office is recorded but not texted: the office got it. Failures are
logged, never raised: the caller's refusal TwiML comes first.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import structlog

from analytics.emitter import CallEventEmitter
from analytics.events import NOT_TAKEN_REASONS, CallNotTaken
from runtime.actors.background import BackgroundTasks
from runtime.actors.messages import CallRefused, CallSetup
from runtime.conversation import CallContext
from runtime.notifications.post_call import text_missed_caller
from tenancy.models import Company, utc_now
from tenancy.notification_book import Outbox
from tenancy.store import TenantStore

log = structlog.get_logger(__name__)
UNKNOWN_NUMBER = "unknown"  # a withheld caller id ("anonymous") still makes a call row


class CallsNotTaken:
    def __init__(self, emitter: CallEventEmitter, tenant: Callable[[str], TenantStore],
                 outbox: Outbox | None = None) -> None:
        self._emitter = emitter
        self._tenant = tenant  # the tenant-scoped store of a company id
        self._outbox = outbox
        self.background = BackgroundTasks()

    async def report(self, company: Company, setup: CallSetup, refusal: CallRefused) -> bool:
        """Record the refused call and queue its text-back; True if it was a lost call.
        `company` is the document the webhook answered with: the text-back's wording and
        whether it is wanted come from it, not from another read."""
        if refusal.reason not in NOT_TAKEN_REASONS:
            return False  # a repeated webhook, a CallSid another call holds: not lost
        started_at = utc_now()
        try:
            await self._emitter.emit(CallNotTaken(
                company_id=setup.company_id, call_sid=setup.call_sid, started_at=started_at,
                caller_number=setup.caller_number or UNKNOWN_NUMBER,
                called_number=setup.called_number or UNKNOWN_NUMBER,
                reason=refusal.reason,  # type: ignore[arg-type]  # checked above
                forwarded_to=refusal.forward_to))
        except Exception:  # the caller's answer matters more than the record of it
            log.exception("call_not_taken_not_recorded", company_id=setup.company_id,
                          call_sid=setup.call_sid, reason=refusal.reason)
        if refusal.forward_to is None:
            ctx = CallContext(call_sid=setup.call_sid, caller_number=setup.caller_number,
                              called_number=setup.called_number, started_at=started_at)
            self.background.spawn(text_missed_caller(
                self._tenant(setup.company_id), ctx, self._outbox, read=_as_read(company)))
        return True


def _as_read(company: Company) -> Callable[[], Awaitable[Company | None]]:
    async def read() -> Company | None:
        return company

    return read
