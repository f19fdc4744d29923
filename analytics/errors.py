"""Errors the HTTP layer maps to status codes."""

from __future__ import annotations


class InvalidQuery(ValueError):
    """A call-log or analytics request that cannot be answered as asked (HTTP 400)."""
