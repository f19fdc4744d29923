"""Which calendar a company's bookings mirror into, decided from its stored link and config.

Google's client libraries are imported only when a company's calendar is really used.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from runtime.providers.calendar_double import SharedOfflineCalendar
from tenancy.booking_desk import BookingDesk
from tenancy.calendar_link import CalendarLink
from tenancy.external_calendar import ExternalCalendar
from tenancy.models import Company
from tenancy.store import TenantStore

if TYPE_CHECKING:
    from runtime.providers.google_oauth import CalendarOAuth

CALLBACK_PATH = "/api/integrations/google-calendar/callback"


@dataclass(frozen=True)
class CalendarConfig:
    # "doubles": offline OAuth and calendar (tests, local runs); "auto": Google when configured.
    mode: Literal["auto", "doubles"] = "auto"
    client_id: str | None = None
    client_secret: str | None = None
    public_base_url: str = "http://127.0.0.1:8000"
    # Longest a booking waits for the calendar before deciding on the company's rules alone.
    timeout_s: float = 2.0
    # How the offline calendar double fails (fault injection): "none", "error" or "hang",
    # unless the company's own double is set otherwise (`TenantStore.offline_calendar`).
    double_failure: Literal["none", "error", "hang"] = "none"

    @property
    def redirect_uri(self) -> str:
        return self.public_base_url.rstrip("/") + CALLBACK_PATH


def build_oauth(config: CalendarConfig) -> CalendarOAuth | None:
    """None when the platform has no Google OAuth client configured."""
    from runtime.providers.google_oauth import GoogleOAuth, OfflineOAuth

    if config.mode == "doubles":
        return OfflineOAuth()
    if config.client_id and config.client_secret:
        return GoogleOAuth(config.client_id, config.client_secret, config.redirect_uri)
    return None


def calendar_for(config: CalendarConfig, link: CalendarLink | None, store: TenantStore
                 ) -> ExternalCalendar | None:
    """The company's connected calendar, or None (bookings then follow company rules only)."""
    if link is None:
        return None
    if config.mode == "doubles":
        return SharedOfflineCalendar(store.offline_calendar, config.double_failure)
    if config.client_id and config.client_secret:
        from runtime.providers.google_calendar import GoogleCalendar

        return GoogleCalendar(link.refreshToken, config.client_id, config.client_secret,
                              link.calendarId)
    return None


async def booking_desk(store: TenantStore, company: Company, config: CalendarConfig
                       ) -> BookingDesk:
    """The company's booking desk, with its connected calendar if it has one."""
    calendar = calendar_for(config, await store.calendar_link.get(), store)
    return BookingDesk(store, company, calendar=calendar, calendar_timeout_s=config.timeout_s)
