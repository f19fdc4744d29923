"""Every console page's router, in one list the app includes (see ../__init__.py)."""

from __future__ import annotations

from fastapi import APIRouter

from runtime.serve.console.pages import (
    ai,
    hours,
    knowledge,
    numbers,
    people,
    platform,
    profile,
    signin,
    voice,
)

PAGE_ROUTERS: list[APIRouter] = [
    signin.router,
    platform.router,
    profile.router,
    hours.router,
    ai.router,
    voice.router,
    numbers.router,
    knowledge.router,  # before knowledge.entries (see there)
    knowledge.entries,
    people.employees,
    people.contacts,
]
