"""A taken message becomes an inbox entry and the notifications its settings ask for.

Called from the call actor off the turn's path: every failure is logged, none raised.
The entry's id comes from (call, turn), so a turn re-run after an actor crash stores
and notifies nothing twice.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

import structlog

from analytics.call_summary import SUMMARY_LIMIT
from runtime.conversation import CallContext, TakeMessage
from runtime.notifications.planner import plan_escalation, plan_message
from tenancy.models import utc_now
from tenancy.models.messages import NotificationReason, TakenMessage
from tenancy.notification_book import Outbox
from tenancy.store import TenantStore

log = structlog.get_logger(__name__)


def message_id(call_sid: str, turn_index: int) -> str:
    return hashlib.sha256(f"{call_sid}:{turn_index}".encode()).hexdigest()[:24]


async def notify_message(store: TenantStore, message: TakenMessage, outbox: Outbox,
                         now: datetime, reason: NotificationReason | None = None) -> int:
    """Queue the notifications `message` calls for (about `reason`); how many."""
    company = await store.load_company()
    if company is None:
        return 0
    employees = await store.employees.list()
    planned = [*plan_message(company, employees, message, now, reason),
               *plan_escalation(company, employees, message, now)]
    for notification in planned:
        await store.notifications.queue(notification, outbox)
    return len(planned)


async def keep_message(
    store: TenantStore, ctx: CallContext, turn_index: int, action: TakeMessage,
    outbox: Outbox | None = None, summary: str = "",
) -> None:
    """Store the message of turn `turn_index` with the call's summary so far, and queue
    its notifications (once: an entry already kept is left alone; a failure is logged)."""
    try:
        message = TakenMessage(
            _id=message_id(ctx.call_sid, turn_index), callSid=ctx.call_sid,
            callerNumber=(action.caller_number or ctx.caller_number)[:32],
            callerName=(action.caller_name or (ctx.contact.name if ctx.contact else ""))[:200],
            text=action.message[:4000] or "(no message)", urgent=action.urgent,
            summary=summary[:SUMMARY_LIMIT],
        )
        if not await store.messages.keep(message):
            return  # this turn's message is already in the inbox
        await notify_message(store, message, outbox or Outbox(), utc_now())
    except Exception:
        log.exception("message_not_kept", call_sid=ctx.call_sid)
