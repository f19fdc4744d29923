"""Email through an SMTP server with aiosmtplib (STARTTLS when configured)."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage

import aiosmtplib

from runtime.providers.notify import EmailRequest, SendFailed


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = None
    start_tls: bool = True
    timeout_s: float = 20.0


class SmtpEmailSender:
    name = "smtp"

    def __init__(self, config: SmtpConfig) -> None:
        self._config = config

    async def send(self, request: EmailRequest) -> str:
        config = self._config
        message = EmailMessage()
        message["From"] = config.sender
        message["To"] = request.to
        message["Subject"] = request.subject
        message["Message-ID"] = f"<{request.message_id}@{config.sender.split('@')[-1]}>"
        message.set_content(request.body)
        try:
            await aiosmtplib.send(
                message, hostname=config.host, port=config.port, username=config.username,
                password=config.password, start_tls=config.start_tls, timeout=config.timeout_s,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            raise SendFailed("recipient refused", permanent=True) from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise SendFailed(f"smtp: {type(exc).__name__}", permanent=False) from exc
        return str(message["Message-ID"])
