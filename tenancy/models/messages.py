"""What the agent took down for the company, and what the company's people were told.

`TakenMessage` is an inbox entry (one per `TakeMessage` action of a call);
`Notification` is one SMS or email to a person, stored before it is sent (the outbox
record): its status moves queued → sent → delivered, or to failed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field

from tenancy.models.common import ApiModel
from tenancy.models.records import StoredRecord

MessageStatus = Literal["new", "handled"]
Channel = Literal["sms", "email"]
NotificationReason = Literal["message", "emergency", "booking_confirmation", "missed_call",
                             "summary", "sms_handoff"]
NotificationStatus = Literal["queued", "sent", "delivered", "failed"]
# What is told to the company's own people (the rest goes to callers): a company's hourly
# text cap guards against texting the public, and must never silence these.
STAFF_REASONS: frozenset[NotificationReason] = frozenset({"message", "emergency",
                                                          "sms_handoff"})


class MessageFields(ApiModel):
    callSid: Annotated[str, Field(max_length=64)]
    callerNumber: Annotated[str, Field(max_length=32)] = ""  # may be "anonymous" on a call
    callerName: Annotated[str, Field(max_length=200)] = ""
    text: Annotated[str, Field(max_length=4000)]
    urgent: bool = False
    status: MessageStatus = "new"
    # The call's summary when the message was taken (analytics.call_summary): what the
    # staff notifications about it say beside the message itself.
    summary: Annotated[str, Field(max_length=400)] = ""
    source: Literal["call", "sms"] = "call"  # a text conversation: `callSid` is a MessageSid


class MessageUpdate(ApiModel):
    status: MessageStatus


class TakenMessage(StoredRecord, MessageFields):
    """A message a caller left with the agent."""


class NotificationFields(ApiModel):
    channel: Channel
    to: Annotated[str, Field(min_length=3, max_length=254)]
    body: Annotated[str, Field(min_length=1, max_length=4000)]
    subject: Annotated[str, Field(max_length=200)] = ""
    reason: NotificationReason
    status: NotificationStatus = "queued"
    provider: Annotated[str, Field(max_length=40)] = ""
    providerIds: list[str] = Field(default_factory=list)  # Twilio MessageSids, one per part
    attempts: Annotated[int, Field(ge=0)] = 0
    lastError: Annotated[str, Field(max_length=500)] = ""
    messageId: str | None = None  # the inbox entry it tells about
    notBefore: datetime | None = None  # quiet hours, a retry or an escalation step: not before
    escalationStep: Annotated[int, Field(ge=0)] | None = None  # place in escalationOrder


class Notification(StoredRecord, NotificationFields):
    """One text or email to one person; its `_id` is the idempotency key of its sending."""
