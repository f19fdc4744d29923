"""`notificationSettings`: who at a company is told about what the agent took down.

Recipients are employees (by role, or whoever is on call) and the office email.
Quiet hours (company local time) hold back non-urgent texts; urgent ones go out at once.
`escalationOrder` lists employee ids to text, one every `escalationMinutes`, about an
urgent message until someone marks it handled or the list ends.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from tenancy.models.common import ApiModel, ClockTime, Email, ObjectId

Role = Annotated[str, Field(min_length=1, max_length=100)]


class QuietHours(ApiModel):
    enabled: bool = True
    start: ClockTime = "21:00"
    end: ClockTime = "08:00"  # may be earlier than start: the window crosses midnight


class NotifyRule(ApiModel):
    """Who is told about one kind of event, and how."""

    sms: bool = True
    email: bool = True
    roles: Annotated[list[Role], Field(max_length=20)] = Field(default_factory=list)
    onCall: bool = True  # employees marked isOnCall
    officeEmail: bool = True


class NotificationSettings(ApiModel):
    enabled: bool = True
    officeEmail: Email | None = None  # falls back to the company's email
    messages: NotifyRule = Field(default_factory=NotifyRule)
    urgent: NotifyRule = Field(default_factory=NotifyRule)
    quietHours: QuietHours = Field(default_factory=QuietHours)
    escalationOrder: Annotated[list[ObjectId], Field(max_length=20)] = Field(
        default_factory=list)
    escalationMinutes: Annotated[int, Field(ge=1, le=120)] = 10
