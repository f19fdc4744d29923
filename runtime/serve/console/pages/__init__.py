"""Every console page's router, in one list the app includes (see ../__init__.py)."""

from __future__ import annotations

from fastapi import APIRouter

from runtime.serve.console.pages import (
    analytics,
    bookings,
    calls,
    inbox,
    platform,
    profile,
    signin,
    test_call,
)

PAGE_ROUTERS: list[APIRouter] = [
    signin.router,
    platform.router,
    profile.router,
    calls.router,
    analytics.router,
    test_call.router,
    bookings.router,
    inbox.router,
]
