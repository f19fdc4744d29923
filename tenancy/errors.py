"""Domain errors of the tenant store; the HTTP layer maps each to one status code."""

from __future__ import annotations

from typing import Any


class TenancyError(Exception):
    """Base class; `str(error)` is a message fit for the API client."""


class NotFound(TenancyError):
    """404: the company or record does not exist (or is inactive)."""


class Conflict(TenancyError):
    """409: e.g. a phone number already belongs to another company."""


class InvalidDocument(TenancyError):
    """422: the merged document does not validate; `details` lists each problem and
    `error_types` their pydantic types (some of which the HTTP layer answers otherwise)."""

    def __init__(self, message: str, details: list[dict[str, Any]] | None = None,
                 error_types: frozenset[str] = frozenset()) -> None:
        super().__init__(message)
        self.details = details or []
        self.error_types = error_types
