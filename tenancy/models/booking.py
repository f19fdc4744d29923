"""Bookings: the company's scheduling rules (`bookingSettings`) and the visits it has booked.

`BookingSettings` lives on the company document and is validated like every other
setting. A `Booking` is stored in the company's namespace; its `start`/`end` are aware
datetimes written with the company's UTC offset.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator
from pydantic_core import PydanticCustomError

from tenancy.models.common import ApiModel, ClockTime, E164Phone, ShortText
from tenancy.models.records import StoredRecord

Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
BookingStatus = Literal["confirmed", "cancelled"]
BookingSource = Literal["phone", "sms", "console", "api"]
MAX_VISIT_MINUTES = 8 * 60


def _check_address(value: str) -> str:
    """A service address a technician can drive to: a number and a street name at least."""
    if not any(ch.isdigit() for ch in value) or sum(ch.isalpha() for ch in value) < 3:
        raise ValueError("must be a street address such as '12 Palm Ave, Fort Myers'")
    return value


UNKNOWN_TEMPLATE = "unknown_booking_template"  # error type the API answers with a 400


def _check_template_id(value: str) -> str:
    from tenancy.catalog.booking_templates import BOOKING_TEMPLATES  # the catalog imports models

    if value not in BOOKING_TEMPLATES:
        raise PydanticCustomError(
            UNKNOWN_TEMPLATE,
            "unknown booking script template '{template}'; shipped templates: {known} "
            "(GET /api/booking-scripts/templates)",
            {"template": value, "known": ", ".join(sorted(BOOKING_TEMPLATES))})
    return value


BookingTemplateId = Annotated[str, Field(max_length=64), AfterValidator(_check_template_id)]
ServiceAddress = Annotated[str, Field(min_length=5, max_length=300), AfterValidator(_check_address)]


class BookableService(ApiModel):
    name: ShortText
    durationMinutes: Annotated[int, Field(ge=15, le=MAX_VISIT_MINUTES)] = 60


class BookingWindow(ApiModel):
    """A stretch of a weekday (company local time) in which visits may be booked."""

    day: Weekday
    start: ClockTime
    end: ClockTime

    @model_validator(mode="after")
    def _start_before_end(self) -> BookingWindow:
        if self.start >= self.end:
            raise ValueError(f"{self.day}: start {self.start} must be before end {self.end}")
        return self


def _default_services() -> list[BookableService]:
    return [BookableService(name="Service visit", durationMinutes=60)]


class BookingSettings(ApiModel):
    enabled: bool = True
    services: Annotated[list[BookableService], Field(min_length=1, max_length=50)] = Field(
        default_factory=_default_services
    )
    slotMinutes: Annotated[int, Field(ge=5, le=240)] = 30  # start times are multiples of this
    leadTimeMinutes: Annotated[int, Field(ge=0, le=7 * 24 * 60)] = 120  # earliest bookable
    horizonDays: Annotated[int, Field(ge=1, le=365)] = 60  # latest bookable day, from today
    crews: Annotated[int, Field(ge=1, le=50)] = 1  # visits that can run at the same time
    bufferMinutes: Annotated[int, Field(ge=0, le=240)] = 0  # travel time after each visit
    windows: Annotated[list[BookingWindow], Field(max_length=50)] | None = None  # None: hours
    closedDates: Annotated[list[date], Field(max_length=366)] = Field(default_factory=list)

    @model_validator(mode="after")
    def _services_unique(self) -> BookingSettings:
        names = [service.name.lower() for service in self.services]
        if len(names) != len(set(names)):
            raise ValueError("services lists the same service twice")
        return self

    def service(self, name: str) -> BookableService | None:
        return next((s for s in self.services if s.name.lower() == name.lower()), None)


class BookingFields(ApiModel):
    """What staff send to book a visit; `end` follows from the service's duration."""

    start: datetime
    service: ShortText
    customerName: ShortText
    customerPhone: E164Phone
    address: ServiceAddress
    notes: Annotated[str, Field(max_length=2000)] = ""
    source: BookingSource = "api"
    callSid: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")] | None = None

    @model_validator(mode="after")
    def _start_has_offset(self) -> BookingFields:
        if self.start.tzinfo is None:
            raise ValueError("start needs a UTC offset, e.g. 2026-12-08T10:00:00-05:00")
        return self


class BookingUpdate(ApiModel):
    """A change to a booking: a new time (reschedule), details, or `status: cancelled`."""

    start: datetime | None = None
    service: ShortText | None = None
    customerName: ShortText | None = None
    customerPhone: E164Phone | None = None
    address: ServiceAddress | None = None
    notes: Annotated[str, Field(max_length=2000)] | None = None
    status: BookingStatus | None = None

    @model_validator(mode="after")
    def _start_has_offset(self) -> BookingUpdate:
        if self.start is not None and self.start.tzinfo is None:
            raise ValueError("start needs a UTC offset, e.g. 2026-12-08T10:00:00-05:00")
        return self


class Booking(StoredRecord):
    status: BookingStatus = "confirmed"
    start: datetime
    end: datetime
    service: ShortText
    customerName: ShortText
    customerPhone: E164Phone
    address: Annotated[str, Field(max_length=300)]
    notes: Annotated[str, Field(max_length=2000)] = ""
    source: BookingSource = "api"
    callSid: str | None = None
    calendarEventId: str | None = None  # the event mirroring it in the company's calendar
