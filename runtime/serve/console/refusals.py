"""How the console says no: an HTML page (or a redirect to sign-in), never the API's JSON."""

from __future__ import annotations


class ConsoleRefusal(Exception):
    """Render the error page with this status, title and message."""

    def __init__(self, status: int, title: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.title = title
        self.message = message


class SignInRequired(Exception):
    """No live session: send the browser to the sign-in page, then back to `next_path`."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def not_found() -> ConsoleRefusal:
    # One answer for "no such company" and "not yours to see": the URL reveals nothing.
    return ConsoleRefusal(404, "Not found", "There is no such page for your account.")


def forbidden(message: str) -> ConsoleRefusal:
    return ConsoleRefusal(403, "Not allowed", message)
