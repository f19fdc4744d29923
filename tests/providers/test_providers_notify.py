"""The notification providers: Twilio's SDK request (no network), SMTP against a local
aiosmtpd server, and SMS bodies cut to what Twilio accepts."""

from __future__ import annotations

import asyncio
import json
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller
from twilio.http import AsyncHttpClient
from twilio.http.response import Response

from runtime.embedded_redis import free_port
from runtime.providers.notify import (
    SMS_MAX_BODY,
    EmailRequest,
    SendFailed,
    SmsRequest,
    TwilioAccount,
    sms_parts,
)
from runtime.providers.smtp_email import SmtpConfig, SmtpEmailSender
from runtime.providers.twilio_sms import TwilioSmsSender

ACCOUNT = TwilioAccount("AC" + "4" * 32, "company-auth-token-0123")
SID = "SM" + "5" * 32


class RecordingHttp(AsyncHttpClient):
    """The SDK's HTTP seam: records the request, answers as Twilio would."""

    def __init__(self, status: int = 201, body: dict | None = None) -> None:
        super().__init__(logger=None, is_async=True)  # type: ignore[arg-type]
        self.requests: list[dict] = []
        self._status = status
        self._body = body if body is not None else {"sid": SID, "status": "queued"}

    async def request(self, method, uri, params=None, data=None, headers=None, auth=None,
                      timeout=None, allow_redirects=False):
        self.requests.append({"method": method, "uri": uri, "data": data, "auth": auth})
        return Response(self._status, json.dumps(self._body))


async def test_a_text_is_one_messages_api_create_with_the_callback():
    http = RecordingHttp()
    sender = TwilioSmsSender(lambda: http)
    sid = await sender.send(SmsRequest("+12395550111", "+12395550100", "Call Pat back",
                                       "https://calls.example.com/api/twilio/message-status/x"),
                            ACCOUNT)
    assert sid == SID
    [request] = http.requests
    assert request["method"] == "POST"
    assert request["uri"] == (
        f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT.account_sid}/Messages.json")
    assert request["auth"] == (ACCOUNT.account_sid, ACCOUNT.auth_token)
    assert request["data"] == {
        "To": "+12395550111", "From": "+12395550100", "Body": "Call Pat back",
        "StatusCallback": "https://calls.example.com/api/twilio/message-status/x"}


@pytest.mark.parametrize("status, code, permanent", [
    (400, 21610, True),  # the number opted out: no retry can help
    (400, 21211, True),  # not a valid number
    (429, 20429, False),
    (503, 20503, False),
])
async def test_twilio_errors_say_whether_a_retry_can_help(status, code, permanent):
    http = RecordingHttp(status, {"code": code, "message": "no", "status": status})
    with pytest.raises(SendFailed) as failed:
        await TwilioSmsSender(lambda: http).send(
            SmsRequest("+12395550111", "+12395550100", "hi"), ACCOUNT)
    assert failed.value.permanent is permanent
    assert str(code) in str(failed.value)


async def test_without_a_twilio_account_a_text_fails_for_good():
    http = RecordingHttp()
    with pytest.raises(SendFailed) as failed:
        await TwilioSmsSender(lambda: http).send(
            SmsRequest("+12395550111", "+12395550100", "hi"), None)
    assert failed.value.permanent and http.requests == []


def test_sms_bodies_are_split_at_words_within_twilios_limit():
    assert sms_parts("  short   text ") == ["short text"]
    assert sms_parts("") == [""]
    long = " ".join(f"word{i}" for i in range(600))
    parts = sms_parts(long)
    assert len(parts) > 1 and all(0 < len(p) <= SMS_MAX_BODY for p in parts)
    assert " ".join(parts) == long
    unbroken = "x" * (SMS_MAX_BODY * 2 + 5)
    assert [len(p) for p in sms_parts(unbroken)] == [SMS_MAX_BODY, SMS_MAX_BODY, 5]


class Inbox:
    def __init__(self) -> None:
        self.received: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.received.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
        if address.startswith("nobody@"):
            return "550 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()


async def test_email_reaches_a_local_smtp_server(smtp_server):
    inbox, port = smtp_server
    sender = SmtpEmailSender(SmtpConfig("127.0.0.1", port, "notify@clientsvia.example",
                                        start_tls=False))
    message_id = await sender.send(EmailRequest("office@atlas.example", "New message",
                                                "Pat called about the furnace.", "abc123"))
    [(recipients, content)] = inbox.received
    parsed = message_from_bytes(content)
    assert recipients == ["office@atlas.example"]
    assert parsed["Subject"] == "New message" and parsed["From"] == "notify@clientsvia.example"
    assert parsed["Message-ID"] == message_id == "<abc123@clientsvia.example>"
    assert "furnace" in parsed.get_payload()


async def test_a_refused_recipient_is_permanent_and_no_server_is_transient(smtp_server):
    _, port = smtp_server
    sender = SmtpEmailSender(SmtpConfig("127.0.0.1", port, "n@clientsvia.example",
                                        start_tls=False))
    with pytest.raises(SendFailed) as refused:
        await sender.send(EmailRequest("nobody@atlas.example", "s", "b", "id1"))
    assert refused.value.permanent
    closed = SmtpEmailSender(SmtpConfig("127.0.0.1", free_port(), "n@clientsvia.example",
                                        start_tls=False, timeout_s=5))
    with pytest.raises(SendFailed) as unreachable:
        await asyncio.wait_for(closed.send(EmailRequest("a@atlas.example", "s", "b", "id2")),
                               30)
    assert not unreachable.value.permanent
