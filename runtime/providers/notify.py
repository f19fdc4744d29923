"""The small interfaces staff notifications are sent through: one SMS sender, one email
sender. Real ones talk to Twilio and SMTP; the doubles record what they would send.

A sender raises `SendFailed`: `permanent` when retrying cannot help (a number Twilio
rejects, a refused recipient), otherwise the outbox retries with backoff.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

SMS_MAX_BODY = 1600  # Twilio's longest body (it splits into segments itself)


class SendFailed(Exception):
    def __init__(self, detail: str, *, permanent: bool) -> None:
        super().__init__(detail)
        self.permanent = permanent


@dataclass(frozen=True)
class TwilioAccount:
    """Whose Twilio account sends: the company's own, or the platform's."""

    account_sid: str
    auth_token: str


@dataclass(frozen=True)
class SmsRequest:
    to: str
    from_: str
    body: str
    status_callback: str | None = None


@dataclass(frozen=True)
class EmailRequest:
    to: str
    subject: str
    body: str
    message_id: str  # the notification's id: a resend carries the same Message-ID


class SmsSender(Protocol):
    name: str

    async def send(self, request: SmsRequest, account: TwilioAccount | None) -> str:
        """Send one text of at most `SMS_MAX_BODY` characters from `account` (the
        company's or the platform's; None when neither is configured); its message id."""
        ...


class EmailSender(Protocol):
    name: str

    async def send(self, request: EmailRequest) -> str: ...


def sms_parts(body: str, limit: int = SMS_MAX_BODY) -> list[str]:
    """`body` as texts Twilio accepts: split at whitespace where possible, never empty."""
    text = " ".join(body.split())
    parts: list[str] = []
    while len(text) > limit:
        cut = text.rfind(" ", 0, limit + 1)
        cut = cut if cut > limit // 2 else limit
        parts.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text or not parts:
        parts.append(text)
    return parts
