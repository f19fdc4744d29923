"""Offline SMS and email senders: they record what they would send and reach nobody.

`fail_next` makes the next sends fail (transiently), for the outbox's retry path.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from runtime.providers.notify import EmailRequest, SendFailed, SmsRequest, TwilioAccount


def _fake_id(prefix: str, *parts: str) -> str:
    return prefix + hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


@dataclass
class RecordingSmsSender:
    name: str = "sms-double"
    sent: list[SmsRequest] = field(default_factory=list)
    fail_next: int = 0

    async def send(self, request: SmsRequest, account: TwilioAccount | None) -> str:
        if self.fail_next > 0:
            self.fail_next -= 1
            raise SendFailed("double told to fail", permanent=False)
        self.sent.append(request)
        return _fake_id("SM", request.to, request.body, str(len(self.sent)))


@dataclass
class RecordingEmailSender:
    name: str = "email-double"
    sent: list[EmailRequest] = field(default_factory=list)
    fail_next: int = 0

    async def send(self, request: EmailRequest) -> str:
        if self.fail_next > 0:
            self.fail_next -= 1
            raise SendFailed("double told to fail", permanent=False)
        self.sent.append(request)
        return f"<{request.message_id}@double>"
