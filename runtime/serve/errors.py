"""One JSON error shape for every failure: `{"error": CODE, "message": ..., "details"?}`.

Bad input is a 4xx that says what to fix; an unexpected failure is a 500 that
says nothing about internals (the log has the traceback, never a secret).
"""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from tenancy.errors import Conflict, InvalidDocument, NotFound
from tenancy.models.booking import UNKNOWN_TEMPLATE

log = structlog.get_logger(__name__)


class ApiError(Exception):
    def __init__(
        self, status: int, code: str, message: str, details: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.headers = headers


def error_response(
    status: int, code: str, message: str, details: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {"error": code, "message": message}
    if details:
        body["details"] = details
    return JSONResponse(body, status_code=status, headers=headers)


def _validation_details(exc: RequestValidationError) -> list[dict[str, Any]]:
    details = []
    for error in exc.errors():
        location = [str(part) for part in error.get("loc", ()) if part != "body"]
        details.append({"field": ".".join(location), "message": str(error.get("msg", ""))})
    return details


# Validation errors that name something that does not exist rather than a malformed value:
# the request is wrong as a whole (400), not a document that fails its rules (422).
_REFERENCE_ERRORS = {UNKNOWN_TEMPLATE: (
    "UNKNOWN_BOOKING_TEMPLATE", "agentSetup.bookingScriptTemplate is not a shipped booking "
    "script template; pick an id from GET /api/booking-scripts/templates")}


def _invalid(error_types: set[str] | frozenset[str], message: str) -> tuple[int, str, str]:
    """Status, code and message of a validation failure with these pydantic error types."""
    for error_type, (code, explained) in _REFERENCE_ERRORS.items():
        if error_type in error_types:
            return 400, code, explained
    return 422, "VALIDATION_ERROR", message


_STATUS_CODES = {400: "BAD_REQUEST", 401: "UNAUTHORIZED", 403: "FORBIDDEN", 404: "NOT_FOUND",
                 405: "METHOD_NOT_ALLOWED", 409: "CONFLICT", 413: "PAYLOAD_TOO_LARGE",
                 415: "UNSUPPORTED_MEDIA_TYPE", 429: "RATE_LIMITED"}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message, exc.details, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        details = _validation_details(exc)
        error_types = {str(e.get("type", "")) for e in exc.errors()}
        if "json_invalid" in error_types:
            return error_response(400, "VALIDATION_ERROR", "request body is not valid JSON",
                                  details)
        return error_response(*_invalid(error_types, "request is invalid"), details)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _STATUS_CODES.get(exc.status_code, "HTTP_ERROR")
        return error_response(exc.status_code, code, str(exc.detail))

    @app.exception_handler(NotFound)
    async def _not_found(_: Request, exc: NotFound) -> JSONResponse:
        return error_response(404, "NOT_FOUND", str(exc))

    @app.exception_handler(Conflict)
    async def _conflict(_: Request, exc: Conflict) -> JSONResponse:
        return error_response(409, "CONFLICT", str(exc))

    @app.exception_handler(InvalidDocument)
    async def _invalid_document(_: Request, exc: InvalidDocument) -> JSONResponse:
        return error_response(*_invalid(exc.error_types, str(exc)), exc.details)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("unhandled_error", path=request.url.path, error_type=type(exc).__name__)
        return error_response(500, "INTERNAL_ERROR", "something went wrong on our side")


DEFAULT_MAX_BODY_BYTES = 256 * 1024
