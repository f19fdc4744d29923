"""Who is told about a message, and when: roles, on call, office email, quiet hours,
the escalation order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from runtime.notifications.planner import plan_escalation, plan_message, quiet_until
from tenancy.models import Company, Employee
from tenancy.models.messages import TakenMessage
from tenancy.models.notification_settings import QuietHours

NEW_YORK = ZoneInfo("America/New_York")


def at(hour: int, minute: int = 0) -> datetime:
    """A December day in New York (UTC-5), as UTC."""
    return datetime(2026, 12, 3, hour, minute, tzinfo=NEW_YORK).astimezone(UTC)


@pytest.mark.parametrize("quiet, now, until", [
    (QuietHours(start="21:00", end="08:00"), at(23), at(8) + timedelta(days=1)),
    (QuietHours(start="21:00", end="08:00"), at(6, 30), at(8)),
    (QuietHours(start="21:00", end="08:00"), at(8), None),
    (QuietHours(start="21:00", end="08:00"), at(12), None),
    (QuietHours(start="12:00", end="13:00"), at(12, 59), at(13)),
    (QuietHours(enabled=False), at(23), None),
])
def test_quiet_hours_hold_until_the_window_ends(quiet, now, until):
    assert quiet_until(quiet, NEW_YORK, now) == until


def staff() -> list[Employee]:
    return [
        Employee(name="Sam", role="Technician", phone="+12395550101", isOnCall=True,
                 email="sam@atlas.example"),
        Employee(name="Dana", role="Dispatcher", phone="+12395550102"),
        Employee(name="Lee", role="technician", phone="+12395550103"),
    ]


def company(**settings: object) -> Company:
    return Company(companyName="Atlas Air", companyEmail="office@atlas.example",
                   timezone="America/New_York", notificationSettings=settings)


def message(urgent: bool = False) -> TakenMessage:
    return TakenMessage(callSid="CA" + "1" * 32, callerNumber="+12395550199",
                        callerName="Pat", text="No heat", urgent=urgent)


def test_a_message_at_night_texts_in_the_morning_and_emails_now():
    planned = plan_message(company(), staff(), message(), at(23))
    by_address = {(n.channel, n.to): n.notBefore for n in planned}
    assert by_address == {("sms", "+12395550101"): at(8) + timedelta(days=1),
                          ("email", "sam@atlas.example"): None,
                          ("email", "office@atlas.example"): None}
    assert planned[0].body == "Atlas Air: New message from Pat (+12395550199): No heat"


def test_urgent_messages_ignore_quiet_hours_and_go_to_the_named_roles():
    settings = {"urgent": {"roles": ["Technician"], "onCall": False, "email": False,
                           "officeEmail": False}, "officeEmail": "desk@atlas.example"}
    planned = plan_message(company(**settings), staff(), message(urgent=True), at(23))
    assert [(n.to, n.notBefore, n.reason) for n in planned] == [
        ("+12395550101", None, "emergency"), ("+12395550103", None, "emergency")]


def test_disabled_settings_tell_nobody():
    assert plan_message(company(enabled=False), staff(), message(urgent=True), at(12)) == []


def test_escalation_walks_the_order_one_step_per_interval():
    people = staff()
    order = [people[1].id, "f" * 24, people[2].id, people[1].id]  # unknown and repeated ids
    planned = plan_escalation(company(escalationOrder=order, escalationMinutes=15),
                              people, message(urgent=True), at(12))
    assert [(n.to, n.escalationStep, n.notBefore) for n in planned] == [
        ("+12395550102", 0, None), ("+12395550103", 1, at(12, 15))]
    assert plan_escalation(company(escalationOrder=order), people, message(), at(12)) == []


def test_message_and_emergency_notifications_carry_the_call_summary():
    summary = "Pat (+12395550199) called about \u201cthe furnace quit\u201d. Left a message."
    urgent = message(urgent=True).model_copy(update={"summary": summary})
    people = staff()
    escalation = plan_escalation(company(escalationOrder=[people[1].id]), people, urgent, at(12))
    notifications = [*plan_message(company(), people, urgent, at(12)), *escalation]
    assert len(escalation) == 1 and {n.reason for n in notifications} == {"emergency"}
    assert notifications and all(summary in n.body for n in notifications)
    assert "Call summary" not in plan_message(company(), staff(), message(), at(12))[0].body
