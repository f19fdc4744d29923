"""Operating hours in the company's own timezone: open now? and a sentence for prompts."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from runtime.conversation.snapshot import DayHours

_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def local_time(now: datetime, timezone: str) -> datetime:
    return now.astimezone(ZoneInfo(timezone))


def is_open(hours: Iterable[DayHours], now: datetime, timezone: str) -> bool:
    local = local_time(now, timezone)
    today = _DAYS[local.weekday()]
    clock = local.strftime("%H:%M")
    return any(
        entry.day == today and entry.enabled and entry.start <= clock < entry.end
        for entry in hours
    )


def describe_hours(hours: Iterable[DayHours]) -> str:
    """e.g. "Monday 8:00 AM-6:00 PM; ...; Sunday closed" in weekday order."""
    by_day = {entry.day: entry for entry in hours}
    parts = []
    for day in _DAYS:
        entry = by_day.get(day)
        if entry is None or not entry.enabled:
            parts.append(f"{day.capitalize()} closed")
        elif (entry.start, entry.end) == ("00:00", "24:00"):
            parts.append(f"{day.capitalize()} open 24 hours")
        else:
            opening = f"{_twelve_hour(entry.start)}-{_twelve_hour(entry.end)}"
            parts.append(f"{day.capitalize()} {opening}")
    return "; ".join(parts)


def _twelve_hour(clock: str) -> str:
    hour, minute = (int(part) for part in clock.split(":"))
    suffix = "AM" if hour % 24 < 12 else "PM"  # 24:00 is midnight
    return f"{(hour % 12) or 12}:{minute:02d} {suffix}"
