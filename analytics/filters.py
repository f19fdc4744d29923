"""Validated request filters for call logs and analytics.

Everything a caller can send is parsed here into typed values (dates, an outcome from
the fixed list, an E.164 number, bounded page numbers) before it reaches a query, and
every failure becomes `InvalidQuery`, which the HTTP layer answers with 400.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any, Self, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic.alias_generators import to_camel

from analytics.errors import InvalidQuery
from analytics.events import Outcome
from tenancy.models.common import E164Phone

MAX_SPAN_DAYS = 366
DEFAULT_SPAN_DAYS = 30
MAX_PAGE_SIZE = 200


class _Filter(BaseModel):
    model_config = ConfigDict(
        extra="forbid", alias_generator=to_camel, populate_by_name=True, frozen=True
    )


class DateRange(_Filter):
    """Inclusive dates (the company's local days); defaults to the last 30 days up to
    `today` (the company's today, given by the caller; UTC's when not); at most a year."""

    date_from: date | None = None
    date_to: date | None = None
    today: date | None = None

    @model_validator(mode="after")
    def _resolve(self) -> Self:
        date_to = self.date_to or (
            self.date_from + timedelta(days=DEFAULT_SPAN_DAYS - 1)
            if self.date_from
            else self.today or datetime.now(UTC).date()
        )
        date_from = self.date_from or date_to - timedelta(days=DEFAULT_SPAN_DAYS - 1)
        if date_from > date_to:
            raise ValueError("dateFrom must be on or before dateTo")
        if (date_to - date_from).days + 1 > MAX_SPAN_DAYS:
            raise ValueError(f"a date range may span at most {MAX_SPAN_DAYS} days")
        object.__setattr__(self, "date_from", date_from)
        object.__setattr__(self, "date_to", date_to)
        return self

    @property
    def first(self) -> date:
        assert self.date_from is not None  # set by the validator
        return self.date_from

    @property
    def last(self) -> date:
        assert self.date_to is not None
        return self.date_to

    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]


class CallLogQuery(DateRange):
    outcome: Outcome | None = None
    caller_number: E164Phone | None = None
    page: int = Field(default=1, ge=1, le=100_000)
    page_size: int = Field(default=50, ge=1, le=MAX_PAGE_SIZE)


class CallLookup(_Filter):
    """The optional day given with a call's id (narrows the search to that day)."""

    on: date | None = None


FilterT = TypeVar("FilterT", bound=BaseModel)


def parse_filter(model: type[FilterT], value: FilterT | dict[str, Any] | None) -> FilterT:
    """Build a filter from a model or a dict of (camelCase or snake_case) fields."""
    if isinstance(value, model):
        return value
    try:
        return model.model_validate(value or {})
    except ValidationError as exc:
        raise InvalidQuery(_describe(exc)) from None


def _describe(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"]) or "query"
        parts.append(f"{where}: {error['msg']}")
    return "; ".join(parts)
