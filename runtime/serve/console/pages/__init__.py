"""Every console page's router, in one list the app includes (see ../__init__.py)."""

from __future__ import annotations

from fastapi import APIRouter

from runtime.serve.console.pages import platform, profile, signin

PAGE_ROUTERS: list[APIRouter] = [
    signin.router,
    platform.router,
    profile.router,
]
