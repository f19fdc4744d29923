"""The company navigation: one registry, so a new page adds itself with one call.

A page module calls `register_page("Calls", "calls", order=40)` at import; the layout
lists the registered pages of the open company in `order`. Slots in use: settings pages
10-39 (this package), data pages 40-79 (calls, analytics, test call, bookings,
messages, notifications, texts, suggestions), 80+ free.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NavItem:
    label: str
    segment: str  # the page's path under /console/company/{company_id}/
    order: int


_PAGES: dict[str, NavItem] = {}


def register_page(label: str, segment: str, order: int) -> None:
    existing = _PAGES.get(segment)
    if existing is not None and existing != NavItem(label, segment, order):
        raise ValueError(f"console page {segment!r} is already registered as {existing}")
    _PAGES[segment] = NavItem(label, segment, order)


def company_nav(company_id: str, current_path: str) -> list[dict[str, object]]:
    """The nav links for a company, the one matching `current_path` marked current."""
    base = f"/console/company/{company_id}/"
    links = []
    for item in sorted(_PAGES.values(), key=lambda page: (page.order, page.label)):
        href = base + item.segment
        current = current_path == href or current_path.startswith(href + "/")
        links.append({"label": item.label, "href": href, "current": current})
    return links
