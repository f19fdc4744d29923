"""Every console page's router, in one list the app includes (see ../__init__.py)."""

from __future__ import annotations

from fastapi import APIRouter

from runtime.serve.console.pages import (
    ai,
    analytics,
    bookings,
    calls,
    hours,
    inbox,
    knowledge,
    numbers,
    people,
    platform,
    profile,
    signin,
    suggestions,
    test_call,
    texts,
    users,
    voice,
)

PAGE_ROUTERS: list[APIRouter] = [
    signin.router,
    platform.router,
    users.router,
    profile.router,
    hours.router,
    ai.router,
    voice.router,
    numbers.router,
    knowledge.router,  # before knowledge.entries (see there)
    knowledge.entries,
    people.employees,
    people.contacts,
    calls.router,
    analytics.router,
    test_call.router,
    bookings.router,
    inbox.router,
    texts.router,
    suggestions.router,
]
