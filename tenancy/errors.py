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
    """422: the merged document does not validate; `details` lists each problem."""

    def __init__(self, message: str, details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.details = details or []
