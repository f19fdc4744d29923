"""Texts to the caller after a call: a booking confirmation, a text-back after a missed
call, optionally the call's summary after one that was not missed.

Only when the company turned `postCallTexts` on; each goes through the outbox like a
staff notification (stored first, retried, sent once: its id is derived from the call,
so a turn or a call end handled twice queues it once). The sender refuses numbers that
opted out (STOP) and applies the text limits. Quiet hours (`notificationSettings.
quietHours`, company time, standing in for the caller's) hold a text until they end:
it is sent then, not skipped.

A call is *missed* when the agent handled nothing on it: no question answered, no
transfer, message or booking (the caller hung up during the greeting, stayed silent, or
left before anything was resolved), or when no agent took it and the office did not
either (`runtime.actors.calls_not_taken`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from datetime import datetime
from zoneinfo import ZoneInfo

import structlog

from analytics.call_summary import clip
from runtime.actors.call_record import CallRecord
from runtime.conversation import CallContext
from runtime.conversation.outcome import Appointment
from runtime.conversation.text import fill_template
from runtime.notifications.planner import quiet_until
from tenancy.models import Company, utc_now
from tenancy.models.common import is_e164
from tenancy.models.messages import Notification, NotificationReason
from tenancy.notification_book import Outbox
from tenancy.store import TenantStore

log = structlog.get_logger(__name__)

MISSED_CALL_TEXT = ("Sorry we missed you at {companyName}. Reply to this text and we'll help "
                    "right away, or call us back. Reply STOP to opt out.")
BodyOf = Callable[[Company], str]  # the text's body, from the company's document
# The company document as stored now: `store.load_company` by default; a call actor's reads
# it through its company views (`CompanyViews.company`: parsed again only once changed).
CompanyReader = Callable[[], Awaitable[Company | None]]
CONFIRMED = {"booked": "is booked for", "rescheduled": "is now"}
SUMMARY_TEXT_LIMIT = 320  # characters: what Twilio advises a text to stay within
OPT_OUT_LINE = "Reply STOP to opt out."
# The summary's typography, in GSM-7: one curly quote would make the text UCS-2 (70
# characters a segment instead of 160).
GSM_PLAIN = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'",
                           "\u2026": "..."})


def post_call_id(call_sid: str, *parts: str) -> str:
    return hashlib.sha256(":".join((call_sid, *parts)).encode()).hexdigest()[:24]


def is_missed(record: CallRecord) -> bool:
    return not (record.booked or record.message_taken or record.transferred
                or record.answered_by is not None)


def missed_call_text(company: Company) -> str:
    template = company.postCallTexts.missedCallText or MISSED_CALL_TEXT
    return fill_template(template, {"companyName": company.companyName,
                                    "companyPhone": company.companyPhone or ""})


def confirmation_text(company: Company, appointment: Appointment) -> str:
    start = datetime.fromisoformat(appointment.start).astimezone(ZoneInfo(company.timezone))
    hour = f"{start:%I}".lstrip("0")
    when = f"{start:%A, %B} {start.day} at {hour}:{start:%M %p}"
    return (f"{company.companyName}: your {appointment.service} visit "
            f"{CONFIRMED[appointment.change]} {when}. Reply to this text to change it, "
            "or STOP to opt out.")


def summary_text(company: Company, summary: str) -> str:
    """ "Thanks for calling <company>: <summary>", cut at a word to fit one text's limit."""
    room = SUMMARY_TEXT_LIMIT - len(OPT_OUT_LINE) - 3  # a space, and "…" becoming "..."
    thanks = clip(f"Thanks for calling {company.companyName}: {summary}", room)
    return f"{thanks.translate(GSM_PLAIN)} {OPT_OUT_LINE}"


async def text_caller(store: TenantStore, ctx: CallContext, reason: NotificationReason,
                      key: str, body_of: BodyOf, outbox: Outbox | None = None,
                      now: datetime | None = None, read: CompanyReader | None = None) -> bool:
    """Queue one post-call text (once per `key`) if the company wants it; True if queued.
    Failures are logged, never raised: the call is over or still going on."""
    try:
        company = await (read or store.load_company)()
        if company is None or not _wanted(company, reason) or not is_e164(ctx.caller_number):
            return False
        now = now or utc_now()
        hold = quiet_until(company.notificationSettings.quietHours,
                           ZoneInfo(company.timezone), now)
        notification = Notification(
            _id=post_call_id(ctx.call_sid, key), channel="sms", to=ctx.caller_number,
            body=body_of(company), reason=reason, notBefore=hold)
        return await store.notifications.queue_once(notification, outbox or Outbox())
    except Exception:
        log.exception("post_call_text_not_queued", call_sid=ctx.call_sid, reason=reason)
        return False


def _wanted(company: Company, reason: NotificationReason) -> bool:
    texts = company.postCallTexts
    wanted = {"booking_confirmation": texts.bookingConfirmation, "missed_call": texts.missedCall,
              "summary": texts.summary}
    return texts.enabled and wanted.get(reason, False)


async def confirm_booking(store: TenantStore, ctx: CallContext, appointment: Appointment,
                          outbox: Outbox | None = None) -> bool:
    if appointment.change not in CONFIRMED:
        return False
    key = f"booking:{appointment.booking_id}:{appointment.change}:{appointment.start}"
    return await text_caller(store, ctx, "booking_confirmation", key,
                             lambda company: confirmation_text(company, appointment), outbox)


async def text_back(store: TenantStore, ctx: CallContext, record: CallRecord,
                    outbox: Outbox | None = None, read: CompanyReader | None = None) -> bool:
    if not is_missed(record):
        return False
    return await text_missed_caller(store, ctx, outbox, read)


async def text_missed_caller(store: TenantStore, ctx: CallContext, outbox: Outbox | None = None,
                             read: CompanyReader | None = None) -> bool:
    """The missed-call text-back, once per call: after a call the agent handled nothing on,
    or one no agent took (`runtime.actors.calls_not_taken`)."""
    return await text_caller(store, ctx, "missed_call", "missed", missed_call_text, outbox,
                             read=read)


async def text_after_call(store: TenantStore, ctx: CallContext, record: CallRecord,
                          summary: str, outbox: Outbox | None = None,
                          read: CompanyReader | None = None) -> bool:
    """At a call's end: a text-back if it was missed, else its summary (if wanted)."""
    if is_missed(record):
        return await text_back(store, ctx, record, outbox, read)
    if not summary.strip():
        return False
    return await text_caller(store, ctx, "summary", "summary",
                             lambda company: summary_text(company, summary), outbox,
                             read=read)
