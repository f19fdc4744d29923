"""What the data pages share: the date-range query parameters and their error messages."""

from __future__ import annotations

from fastapi import Query

from runtime.serve.errors import ApiError

# The API's filter names (analytics/filters.py) → the console form's input names.
_FIELDS = {"dateFrom": "from", "dateTo": "to", "outcome": "outcome", "page": "page"}


class DateQuery:
    """`?from=YYYY-MM-DD&to=YYYY-MM-DD`, company-local days, as the API takes them."""

    FROM = Query(default=None, alias="from", max_length=32)
    TO = Query(default=None, alias="to", max_length=32)


def field_errors(error: ApiError) -> dict[str, str]:
    """The API's 400 message, put next to each input it names (the summary otherwise)."""
    errors: dict[str, str] = {}
    for part in error.message.split("; "):
        name, _, message = part.partition(": ")
        field = _FIELDS.get(name)
        if field and message:
            errors[field] = message
        else:
            errors[""] = (errors.get("", "") + " " + part).strip()
    return errors
