"""The notification sender a deployment runs, built from Settings.

Only `NOTIFY_MODE=live` reaches Twilio and SMTP; by default (and in every test) the
recording doubles take the sends, so no run texts or emails anyone by accident.
"""

from __future__ import annotations

import redis.asyncio as aioredis
import structlog

from runtime.notifications.drain import NotificationDrain
from runtime.notifications.sender import NotificationSender, SenderConfig
from runtime.notifications.text_limits import TEXT_WINDOW_S, TextCaps, TextLimits
from runtime.providers.notify import EmailSender, SmsSender, TwilioAccount
from runtime.providers.notify_doubles import RecordingEmailSender, RecordingSmsSender
from runtime.providers.smtp_email import SmtpConfig, SmtpEmailSender
from runtime.providers.twilio_sms import TwilioSmsSender
from runtime.settings import Settings
from runtime.window_counter import WindowCounter
from tenancy.registry import CompanyRegistry

log = structlog.get_logger(__name__)


def build_senders(settings: Settings) -> tuple[SmsSender, EmailSender]:
    if settings.notify_mode != "live":
        return RecordingSmsSender(), RecordingEmailSender()
    email: EmailSender
    if settings.smtp_host:
        password = settings.smtp_password
        email = SmtpEmailSender(SmtpConfig(
            host=settings.smtp_host, port=settings.smtp_port, sender=settings.notify_from_email,
            username=settings.smtp_username,
            password=password.get_secret_value() if password else None,
            start_tls=settings.smtp_start_tls))
    else:
        log.warning("notify_email_not_configured", hint="set SMTP_HOST to send email")
        email = RecordingEmailSender()
    return TwilioSmsSender(), email


def build_drain(settings: Settings, redis: aioredis.Redis,
                registry: CompanyRegistry) -> NotificationDrain:
    token = settings.twilio_auth_token
    platform = (TwilioAccount(settings.twilio_account_sid, token.get_secret_value())
                if settings.twilio_account_sid and token else None)
    sms, email = build_senders(settings)
    sender = NotificationSender(registry, sms, email, SenderConfig(
        public_base_url=settings.public_base_url, platform_account=platform,
        max_attempts=settings.notify_max_attempts,
    ), text_limits(settings, redis))
    return NotificationDrain(redis, sender)


def text_limits(settings: Settings, redis: aioredis.Redis) -> TextLimits:
    return TextLimits(WindowCounter(redis, TEXT_WINDOW_S), TextCaps(
        per_number_per_hour=settings.notify_texts_per_number_per_hour,
        per_company_per_hour=settings.notify_texts_per_company_per_hour))
