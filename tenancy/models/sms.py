"""Two-way texting: a customer's thread with the agent, and the post-call texts setting.

A thread is kept per (company, customer number) with a retention limit: it expires
`SMS_THREAD_TTL_S` after its last text and keeps its newest `SMS_THREAD_MAX_TEXTS` texts.
`policyState` is the dialogue policy's state (`ConversationState.to_dict()`), so a
booking started in one text goes on in the next.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field

from tenancy.models.common import ApiModel, E164Phone, utc_now

SMS_THREAD_TTL_S = 30 * 24 * 3600
SMS_THREAD_MAX_TEXTS = 100
TEXT_MAX_CHARS = 1600  # Twilio's longest message body

TextRole = Literal["customer", "agent"]


class ThreadText(ApiModel):
    role: TextRole
    text: Annotated[str, Field(max_length=TEXT_MAX_CHARS)]
    at: datetime = Field(default_factory=utc_now)
    messageSid: str | None = None  # the inbound text's Twilio MessageSid


class SmsThread(ApiModel):
    number: E164Phone  # the customer's
    companyNumber: str = ""  # the company number the customer texts
    texts: list[ThreadText] = Field(default_factory=list)
    policyState: dict[str, Any] | None = None
    createdAt: datetime = Field(default_factory=utc_now)
    updatedAt: datetime = Field(default_factory=utc_now)

    def add(self, text: ThreadText, cap: int = SMS_THREAD_MAX_TEXTS) -> None:
        self.texts = [*self.texts, text][-cap:]
        self.updatedAt = text.at


class PostCallTexts(ApiModel):
    """Texts to the caller after a call (off unless the company turns them on). Quiet
    hours (`notificationSettings.quietHours`, company time) hold them until they end."""

    enabled: bool = False
    bookingConfirmation: bool = True
    missedCall: bool = True
    # After a call that was not missed: "Thanks for calling <company>: <its summary>".
    summary: bool = False
    # {companyName} and {companyPhone} are filled in; empty: the default wording.
    missedCallText: Annotated[str, Field(max_length=480)] = ""
