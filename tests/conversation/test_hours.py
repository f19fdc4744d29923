"""Opening hours: a day can run to midnight ("24:00"), so a company can be open around the clock."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from runtime.conversation.hours import describe_hours, is_open
from tenancy.models.company import WEEKDAYS, OperatingHours

AROUND_THE_CLOCK = [OperatingHours(day=day, start="00:00", end="24:00") for day in WEEKDAYS]


@pytest.mark.parametrize("moment", ["00:00:00", "12:30:00", "23:59:59"])
def test_a_company_open_from_00_00_to_24_00_is_open_every_second(moment: str) -> None:
    for day in range(23, 30):  # a whole week
        now = datetime.fromisoformat(f"2026-11-{day}T{moment}+00:00").astimezone(UTC)
        assert is_open(AROUND_THE_CLOCK, now, "UTC")


def test_a_day_ending_at_24_00_closes_at_midnight_not_before() -> None:
    evenings = [OperatingHours(day=day, start="17:00", end="24:00") for day in WEEKDAYS]
    assert is_open(evenings, datetime(2026, 11, 26, 23, 59, tzinfo=UTC), "UTC")
    assert not is_open(evenings, datetime(2026, 11, 27, 0, 0, tzinfo=UTC), "UTC")
    assert "Thursday 5:00 PM-12:00 AM" in describe_hours(evenings)


def test_around_the_clock_is_described_as_such() -> None:
    assert describe_hours(AROUND_THE_CLOCK).startswith("Monday open 24 hours; Tuesday open 24")


@pytest.mark.parametrize("bad", ["24:01", "25:00", "24:30", "7:00", "12:60"])
def test_times_past_midnight_are_refused(bad: str) -> None:
    with pytest.raises(ValidationError):
        OperatingHours(day="monday", start="00:00", end=bad)


def test_a_day_cannot_start_at_24_00() -> None:
    with pytest.raises(ValidationError):
        OperatingHours(day="monday", start="24:00", end="24:00")
