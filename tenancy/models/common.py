"""Validated building blocks shared by every tenant document.

Each annotated type carries its own check and an error message that tells the
caller what a valid value looks like.
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

_E164 = re.compile(r"^\+[1-9]\d{7,14}$")
_PHONE_PUNCTUATION = re.compile(r"[\s\-().]")
_OBJECT_ID = re.compile(r"^[0-9a-f]{24}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_HHMM = re.compile(r"^(([01]\d|2[0-3]):[0-5]\d|24:00)$")  # 24:00: the end of the day


class ApiModel(BaseModel):
    """Base for documents at the edges: unknown fields are errors, not silently dropped."""

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
        str_strip_whitespace=True,
        validate_default=True,
    )


def new_object_id() -> str:
    """A 24-hex-digit id, the shape the original platform's documents used."""
    return secrets.token_hex(12)


def utc_now() -> datetime:
    return datetime.now(UTC)


def is_object_id(value: str) -> bool:
    return bool(_OBJECT_ID.match(value))


def _check_object_id(value: str) -> str:
    value = value.lower()
    if not _OBJECT_ID.match(value):
        raise ValueError("must be a 24-character hexadecimal id")
    return value


def normalize_e164(value: object) -> object:
    """Accept common punctuation ("+1 (239) 555-0100") and keep only the E.164 form."""
    if isinstance(value, str):
        return _PHONE_PUNCTUATION.sub("", value)
    return value


def is_e164(value: str) -> bool:
    return bool(_E164.match(value))


def _check_e164(value: str) -> str:
    if not _E164.match(value):
        raise ValueError("must be an E.164 phone number such as +12395550100")
    return value


def _check_timezone(value: str) -> str:
    if value not in _known_timezones():
        raise ValueError("must be an IANA timezone such as America/New_York")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError("must be an IANA timezone such as America/New_York") from exc
    return value


_TIMEZONES: set[str] | None = None


def _known_timezones() -> set[str]:
    global _TIMEZONES
    if _TIMEZONES is None:
        _TIMEZONES = available_timezones()
    return _TIMEZONES


def _check_email(value: str) -> str:
    if not _EMAIL.match(value) or len(value) > 254:
        raise ValueError("must be an email address such as office@example.com")
    return value.lower()


def _check_hhmm(value: str) -> str:
    if not _HHMM.match(value):
        raise ValueError("must be a 24-hour time HH:MM such as 09:00 (24:00 ends the day)")
    return value


def _documented(regex: re.Pattern[str], example: str) -> object:
    """What the OpenAPI document says a checked string looks like (the check is the code's)."""
    return Field(json_schema_extra={"pattern": regex.pattern, "examples": [example]})


ObjectId = Annotated[str, AfterValidator(_check_object_id),
                     _documented(_OBJECT_ID, "68813026dd95f599c74e49c7")]
E164Phone = Annotated[str, BeforeValidator(normalize_e164), AfterValidator(_check_e164),
                      _documented(_E164, "+12395550100")]
Timezone = Annotated[str, AfterValidator(_check_timezone),
                     Field(json_schema_extra={"examples": ["America/New_York"]})]
Email = Annotated[str, Field(max_length=254), AfterValidator(_check_email),
                  _documented(_EMAIL, "office@example.com")]
ClockTime = Annotated[str, AfterValidator(_check_hhmm), _documented(_HHMM, "09:00")]
Fraction = Annotated[float, Field(ge=0.0, le=1.0)]
ShortText = Annotated[str, Field(min_length=1, max_length=200)]
LongText = Annotated[str, Field(max_length=4000)]
