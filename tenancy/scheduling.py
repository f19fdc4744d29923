"""A company's booking rules as arithmetic on time: windows, free start times, rejections.

Pure (no Redis): `Schedule` is built from the company document and answers "is this
visit allowed?" and "which start times are free, given these busy spans?". The store
repeats the capacity check atomically in Redis; this module decides what to offer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tenancy.errors import InvalidDocument
from tenancy.models import WEEKDAYS, Company
from tenancy.models.booking import BookableService, BookingSettings

Span = tuple[datetime, datetime]  # [start, end) of a visit including its buffer


class BookingRejected(InvalidDocument):
    """422: the visit breaks the company's rules; the message says which."""


def _clock(value: str) -> time:
    return time(0, 0) if value == "24:00" else time.fromisoformat(value)


def peak_load(spans: Iterable[Span], start: datetime, end: datetime) -> int:
    """The most visits running at one moment of [start, end): the crews already taken."""
    points: list[tuple[datetime, int]] = []
    for span_start, span_end in spans:
        if span_start < end and span_end > start:
            points += [(max(span_start, start), 1), (min(span_end, end), -1)]
    load = peak = 0
    for _, step in sorted(points):  # at equal times -1 sorts first: back-to-back is fine
        load += step
        peak = max(peak, load)
    return peak


@dataclass(frozen=True)
class Schedule:
    settings: BookingSettings
    tz: ZoneInfo
    windows: dict[str, tuple[tuple[time, time], ...]]  # weekday → local (start, end) pairs

    @classmethod
    def of(cls, company: Company) -> Schedule:
        settings = company.bookingSettings
        pairs: dict[str, list[tuple[time, time]]] = {day: [] for day in WEEKDAYS}
        if settings.windows is not None:
            for window in settings.windows:
                pairs[window.day].append((_clock(window.start), _clock(window.end)))
        else:
            for hours in company.agentSetup.operatingHours:
                if hours.enabled:
                    pairs[hours.day].append((_clock(hours.start), _clock(hours.end)))
        return cls(settings, ZoneInfo(company.timezone),
                   {day: tuple(sorted(found)) for day, found in pairs.items()})

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.tz)

    def service(self, name: str) -> BookableService:
        """The named service; an unknown name is rejected with the list of known ones."""
        found = self.settings.service(name)
        if found is None:
            known = ", ".join(service.name for service in self.settings.services)
            raise BookingRejected(f"unknown service {name!r}; this company books: {known}")
        return found

    def span(self, start: datetime, service: BookableService) -> Span:
        """The time a visit keeps a crew busy: its duration plus the buffer after it."""
        minutes = service.durationMinutes + self.settings.bufferMinutes
        return start, start + timedelta(minutes=minutes)

    def visit_end(self, start: datetime, service: BookableService) -> datetime:
        return self.local(start + timedelta(minutes=service.durationMinutes))

    def day_windows(self, day: date) -> list[Span]:
        """The day's booking windows as aware local datetimes (none on closed dates)."""
        if not self.settings.enabled or day in self.settings.closedDates:
            return []
        spans = []
        for start, end in self.windows[WEEKDAYS[day.weekday()]]:
            end_day = day + timedelta(days=1) if end == time(0, 0) else day
            spans.append((datetime.combine(day, start, self.tz),
                          datetime.combine(end_day, end, self.tz)))
        return spans

    def check(self, start: datetime, service: BookableService, now: datetime,
              *, lead_time: bool = False) -> None:
        """Raise `BookingRejected` unless a visit at `start` fits the company's rules."""
        start = self.local(start)
        if not self.settings.enabled:
            raise BookingRejected("this company does not take bookings")
        earliest = now + timedelta(minutes=self.settings.leadTimeMinutes if lead_time else 0)
        if start < earliest:
            raise BookingRejected(f"start {start.isoformat()} is in the past or too soon")
        if start.date() > self.local(now).date() + timedelta(days=self.settings.horizonDays):
            raise BookingRejected(
                f"bookings are taken up to {self.settings.horizonDays} days ahead"
            )
        if start.date() in self.settings.closedDates:
            raise BookingRejected(f"the company is closed on {start.date().isoformat()}")
        visit_end = self.visit_end(start, service)
        if not any(begin <= start and visit_end <= end
                   for begin, end in self.day_windows(start.date())):
            raise BookingRejected(
                f"{start.isoformat()} to {visit_end.isoformat()} is outside the booking windows"
            )

    def free_starts(self, day: date, service: BookableService, busy: Iterable[Span],
                    now: datetime) -> list[datetime]:
        """Start times on `day` a crew is free for the whole visit (lead time applied)."""
        busy = list(busy)
        step = timedelta(minutes=self.settings.slotMinutes)
        duration = timedelta(minutes=service.durationMinutes)
        earliest = now + timedelta(minutes=self.settings.leadTimeMinutes)
        horizon = self.local(now).date() + timedelta(days=self.settings.horizonDays)
        if day > horizon:
            return []
        starts = []
        for begin, end in self.day_windows(day):
            start = begin
            while start + duration <= end:
                span_start, span_end = self.span(start, service)
                if start >= earliest and peak_load(busy, span_start, span_end) \
                        < self.settings.crews:
                    starts.append(self.local(start))
                start += step  # same tzinfo: wall-clock arithmetic
        return starts
