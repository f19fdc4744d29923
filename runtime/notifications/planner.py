"""Who is told about a taken message, on which channel, and when (pure: no I/O).

Employees are chosen by role or on-call flag, plus the office email; one notification
per (channel, address). Quiet hours (company local time) hold back texts about
non-urgent messages until the window ends; email and urgent texts go at once. An urgent
message also walks `escalationOrder`: step i is a text due i × `escalationMinutes` later,
which the sender drops if the message was marked handled by then.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from tenancy.models import Company, Employee
from tenancy.models.messages import Channel, Notification, NotificationReason, TakenMessage
from tenancy.models.notification_settings import NotifyRule, QuietHours


def _clock(value: str) -> time:
    return time(0, 0) if value == "24:00" else time.fromisoformat(value)


def quiet_until(quiet: QuietHours, zone: ZoneInfo, now: datetime) -> datetime | None:
    """The end of the quiet window `now` falls in (UTC), or None outside quiet hours."""
    if not quiet.enabled:
        return None
    local = now.astimezone(zone)
    start, end = _clock(quiet.start), _clock(quiet.end)
    clock = local.time()
    inside = start <= clock < end if start < end else (clock >= start or clock < end)
    if not inside:
        return None
    ends = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if ends <= local:
        ends += timedelta(days=1)
    return ends.astimezone(now.tzinfo)


def recipients(rule: NotifyRule, employees: list[Employee]) -> list[Employee]:
    roles = {role.casefold() for role in rule.roles}
    return [e for e in employees
            if (rule.onCall and e.isOnCall) or e.role.casefold() in roles]


def message_text(company: Company, message: TakenMessage) -> tuple[str, str]:
    """(subject, body) of a notification about `message`."""
    caller = message.callerName or message.callerNumber or "an unknown caller"
    number = f" ({message.callerNumber})" if message.callerName and message.callerNumber else ""
    kind = "URGENT message" if message.urgent else "New message"
    subject = f"{kind} from {caller}"
    about = f" Call summary: {message.summary}" if message.summary else ""
    return subject, f"{company.companyName}: {subject}{number}: {message.text}{about}"


def plan_message(
    company: Company, employees: list[Employee], message: TakenMessage, now: datetime,
    reason: NotificationReason | None = None,
) -> list[Notification]:
    """`reason`: what the staff are told about (default: an emergency or a message)."""
    settings = company.notificationSettings
    if not settings.enabled:
        return []
    rule = settings.urgent if message.urgent else settings.messages
    reason = reason or ("emergency" if message.urgent else "message")
    subject, body = message_text(company, message)
    addresses: list[tuple[Channel, str]] = []
    for employee in recipients(rule, employees):
        if rule.sms:
            addresses.append(("sms", employee.phone))
        if rule.email and employee.email:
            addresses.append(("email", employee.email))
    office = settings.officeEmail or company.companyEmail
    if rule.officeEmail and office:
        addresses.append(("email", office))
    hold = None if message.urgent else quiet_until(
        settings.quietHours, ZoneInfo(company.timezone), now)
    planned: list[Notification] = []
    for channel, to in dict.fromkeys(addresses):
        planned.append(Notification(
            channel=channel, to=to, body=body, subject=subject if channel == "email" else "",
            reason=reason, messageId=message.id,
            notBefore=hold if channel == "sms" else None,
        ))
    return planned


def plan_escalation(
    company: Company, employees: list[Employee], message: TakenMessage, now: datetime,
) -> list[Notification]:
    """One text per employee of `escalationOrder` (unknown ids skipped), spaced out."""
    settings = company.notificationSettings
    if not (settings.enabled and message.urgent):
        return []
    by_id = {employee.id: employee for employee in employees}
    order = [by_id[i] for i in dict.fromkeys(settings.escalationOrder) if i in by_id]
    _, body = message_text(company, message)
    gap = timedelta(minutes=settings.escalationMinutes)
    return [Notification(
        channel="sms", to=employee.phone, reason="emergency", messageId=message.id,
        body=f"{body} (escalation {step + 1} of {len(order)}: mark it handled to stop)",
        escalationStep=step, notBefore=now + step * gap if step else None,
    ) for step, employee in enumerate(order)]
