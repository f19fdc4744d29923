"""Browser helpers for the console tests: Debian's Chromium driven by Playwright, checks
that every page leaves no console errors, screenshots at two widths, and axe-core.

The async API runs on the test session's event loop (pytest-asyncio); the sync API would
leave its own loop set as running and break every async test after it. Chromium is the
system's (/usr/bin/chromium, installed by `make test` when missing);
Playwright never downloads a browser. axe-core is the copy vendored in the
axe-playwright-python package, injected into the page (no CDN).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from axe_playwright_python.async_playwright import Axe
from playwright.async_api import ConsoleMessage, Error, Page

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]
SHOTS_DIR = Path(__file__).resolve().parents[2] / "var" / "console-shots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
FAILING_IMPACTS = ("serious", "critical")
_AXE = Axe()


@dataclass
class ConsoleErrors:
    """Every console error and uncaught exception a page produced."""

    seen: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> None:
        page.on("console", lambda message: self._on_console(page, message))
        page.on("pageerror", lambda error: self.seen.append(f"uncaught: {error}"))

    def _on_console(self, page: Page, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        # Chromium logs a 4xx page itself (a refused form, a 404) as a failed load; tests
        # assert those statuses themselves. A failed script, style or image still counts.
        if message.text.startswith("Failed to load resource") and (
                message.location.get("url") == page.url):
            return
        self.seen.append(f"console.error: {message.text} at {message.location}")

    def expect_none(self) -> None:
        assert not self.seen, "browser console errors:\n" + "\n".join(self.seen)


async def shoot(page: Page, name: str) -> list[Path]:
    """Full-page PNGs of the page as it is now, at desktop and phone widths."""
    SHOTS_DIR.mkdir(parents=True, exist_ok=True)
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    original = page.viewport_size or DESKTOP
    paths = []
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        await page.set_viewport_size(size)
        path = SHOTS_DIR / f"{slug}-{label}.png"
        await page.screenshot(path=str(path), full_page=True)
        paths.append(path)
    await page.set_viewport_size(original)
    return paths


async def serious_violations(page: Page) -> list[str]:
    """axe-core's serious and critical findings on the page, one line each."""
    results = await _AXE.run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']} at "
            + ", ".join(str(node["target"]) for node in v["nodes"][:3])
            for v in results.response["violations"] if v.get("impact") in FAILING_IMPACTS]


async def check_page(page: Page, name: str) -> None:
    """What every console page must pass: screenshots taken, no serious axe finding,
    and no horizontal scrolling at phone width."""
    await shoot(page, name)
    problems = await serious_violations(page)
    assert not problems, f"{name}: accessibility violations:\n" + "\n".join(problems)
    await page.set_viewport_size(PHONE)
    overflow = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    culprits = await page.evaluate(_WIDER_THAN_SCREEN) if overflow > 0 else []
    await page.set_viewport_size(DESKTOP)
    assert overflow <= 0, f"{name}: {overflow}px wider than a 390px phone: {culprits}"


# The innermost elements reaching past the right edge (what to fix when a page overflows).
_WIDER_THAN_SCREEN = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5
          && ![...e.children].some(c => c.getBoundingClientRect().right > window.innerWidth))
  .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                   + (e.className ? '.' + e.className : ''))"""


async def sign_in(page: Page, email: str, password: str) -> None:
    await page.goto("/console/login")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(password)
    async with page.expect_navigation():
        await page.get_by_role("button", name="Sign in").click()
    error = page.locator(".error-summary, .field-error")
    if await error.count():
        raise Error(f"sign-in failed: {await error.first.inner_text()}")
