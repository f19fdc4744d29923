"""One sending attempt of one stored notification, made exactly once per attempt number.

The outbox entry names (company, notification, attempt). The record says how far the
notification got: an attempt it has already made, or a notification no longer queued,
is skipped, so an entry read twice (a drain killed before its XACK, a retry promoted
twice) sends nothing twice. A drain killed after storing but before sending sends on
restart. A text to a number that opted out (STOP) is never sent: it fails for good.
Still open: killed after the provider accepted but before the record was
saved, the attempt is made again (at least once, not exactly once, in that window).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog

from runtime.notifications.text_limits import TextLimits
from runtime.providers.notify import (
    EmailRequest,
    EmailSender,
    SendFailed,
    SmsRequest,
    SmsSender,
    TwilioAccount,
    sms_parts,
)
from tenancy.errors import NotFound
from tenancy.models import utc_now
from tenancy.models.messages import STAFF_REASONS, Notification
from tenancy.notification_book import Outbox
from tenancy.registry import CompanyRegistry
from tenancy.store import TenantStore

log = structlog.get_logger(__name__)

BACKOFF_BASE_S = 30.0
BACKOFF_MAX_S = 3600.0
STATUS_PATH = "/api/twilio/message-status/{company_id}"
OPTED_OUT = "not sent: the number opted out of texts (STOP)"


def backoff_s(attempt: int) -> float:
    """Wait before attempt `attempt + 1`: 30 s, 1 min, 2 min, … capped at an hour."""
    return min(BACKOFF_MAX_S, BACKOFF_BASE_S * 2 ** max(attempt - 1, 0))


@dataclass(frozen=True)
class SenderConfig:
    public_base_url: str
    platform_account: TwilioAccount | None = None
    max_attempts: int = 5
    outbox: Outbox = Outbox()


class NotificationSender:
    def __init__(
        self, registry: CompanyRegistry, sms: SmsSender, email: EmailSender,
        config: SenderConfig, limits: TextLimits, clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._registry = registry
        self._limits = limits  # hourly caps per (company, number) and per company
        self._sms = sms
        self._email = email
        self._config = config
        self._clock = clock

    async def deliver(self, company_id: str, notification_id: str, attempt: int) -> None:
        store = self._registry.tenant(company_id)
        try:
            notification = await store.notifications.get(notification_id)
        except NotFound:
            return
        if notification.status != "queued" or notification.attempts >= attempt:
            return  # sent, failed, or this attempt was already made
        if await self._acknowledged(store, notification):
            await store.notifications.delete(notification.id)  # escalation no longer needed
            return
        try:
            provider, ids = await self._send(store, notification)
        except SendFailed as exc:
            await self._failed(store, notification, attempt, exc)
            return
        await store.notifications.save(notification.model_copy(update={
            "status": "sent", "attempts": attempt, "provider": provider, "providerIds": ids,
            "notBefore": None, "lastError": "", "updatedAt": self._clock(),
        }))

    async def _acknowledged(self, store: TenantStore, notification: Notification) -> bool:
        """An escalation step past the first, about a message someone has since handled."""
        if not notification.escalationStep or notification.messageId is None:
            return False
        try:
            message = await store.messages.get(notification.messageId)
        except NotFound:
            return False
        return message.status == "handled"

    async def _failed(self, store: TenantStore, notification: Notification, attempt: int,
                      exc: SendFailed) -> None:
        changes = {"attempts": attempt, "lastError": str(exc)[:500],
                   "updatedAt": self._clock()}
        log.warning("notification_send_failed", notification_id=notification.id,
                    attempt=attempt, permanent=exc.permanent, error=str(exc))
        if exc.permanent or attempt >= self._config.max_attempts:
            await store.notifications.save(
                notification.model_copy(update={**changes, "status": "failed"}))
            return
        due = self._clock() + timedelta(seconds=backoff_s(attempt))
        await store.notifications.queue(
            notification.model_copy(update={**changes, "notBefore": due}), self._config.outbox)

    async def _send(self, store: TenantStore, notification: Notification) -> tuple[str, list[str]]:
        if notification.channel == "email":
            message_id = await self._email.send(EmailRequest(
                to=notification.to, subject=notification.subject or notification.reason,
                body=notification.body, message_id=notification.id))
            return self._email.name, [message_id]
        company = await store.load_company()
        if company is None:
            raise SendFailed("company not found", permanent=True)
        numbers = company.phone_numbers(active_only=True)
        if not numbers:
            raise SendFailed("the company has no active number to text from", permanent=True)
        if await store.sms.opted_out(notification.to):
            raise SendFailed(OPTED_OUT, permanent=True)
        refusal = await self._limits.refusal(store.company_id, notification.to,
                                             to_staff=notification.reason in STAFF_REASONS)
        if refusal is not None:
            raise SendFailed(refusal, permanent=True)
        config = company.twilioConfig
        account = (TwilioAccount(config.accountSid, config.authToken)
                   if config.accountSid and config.authToken else self._config.platform_account)
        callback = (self._config.public_base_url.rstrip("/")
                    + STATUS_PATH.format(company_id=store.company_id))
        ids = [await self._sms.send(SmsRequest(notification.to, numbers[0], part, callback),
                                    account)
               for part in sms_parts(notification.body)]
        return self._sms.name, ids
