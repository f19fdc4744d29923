"""A company's bookings and free slots: list, create, read, reschedule/edit, cancel.

Times go out as ISO 8601 with the company's UTC offset; days in query strings are the
company's local days. Every rule (windows, lead time, capacity) lives in `BookingDesk`.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Path, Query, Request

from runtime.providers.calendar_factory import booking_desk
from runtime.serve.auth import CompanyGuard
from runtime.serve.errors import ApiError
from runtime.serve.services import Services
from runtime.serve.views import record_view, services_of
from tenancy.booking_desk import BookingDesk
from tenancy.models import is_object_id
from tenancy.models.booking import BookingFields, BookingUpdate

router = APIRouter(prefix="/api/company/{company_id}", tags=["bookings"])

MAX_LIST_DAYS = 366
JsonObject = dict[str, Any]


async def _desk(request: Request, access: Any) -> BookingDesk:
    return await company_desk(services_of(request), access.company_id)


async def company_desk(services: Services, company_id: str) -> BookingDesk:
    """The company's booking desk (the API and the console both book and cancel here)."""
    company = await services.registry.get(company_id)
    return await booking_desk(services.registry.tenant(company_id), company,
                              services.settings.calendar_config())


def _booking_id(value: str) -> str:
    if not is_object_id(value):
        raise ApiError(400, "INVALID_ID", "booking id must be 24 hexadecimal characters")
    return value


def _day(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ApiError(400, "INVALID_DATE", f"{name} must be a real date as YYYY-MM-DD") from None


@router.get("/bookings", summary="List bookings starting between two days (company local)")
async def list_bookings(
    request: Request, access: CompanyGuard,
    first: str | None = Query(None, alias="from", max_length=10),
    last: str | None = Query(None, alias="to", max_length=10),
) -> list[JsonObject]:
    desk = await _desk(request, access)
    start = _day(first, "from") if first else desk.now().date()
    end = _day(last, "to") if last else start + timedelta(days=30)
    if end < start or (end - start).days > MAX_LIST_DAYS:
        raise ApiError(400, "INVALID_RANGE", f"'to' must be 0 to {MAX_LIST_DAYS} days after 'from'")
    return [record_view(booking) for booking in await desk.listing(start, end)]


@router.post("/bookings", status_code=201, summary="Book a visit (409 when no crew is free)")
async def create_booking(request: Request, access: CompanyGuard, body: BookingFields
                         ) -> JsonObject:
    desk = await _desk(request, access)
    return record_view(await desk.create(body))


@router.get("/bookings/{booking_id}", summary="Read one booking")
async def get_booking(request: Request, access: CompanyGuard,
                      booking_id: str = Path(max_length=64)) -> JsonObject:
    desk = await _desk(request, access)
    return record_view(await desk.get(_booking_id(booking_id)))


@router.patch("/bookings/{booking_id}", summary="Reschedule, edit or cancel a booking")
async def change_booking(request: Request, access: CompanyGuard, body: BookingUpdate,
                         booking_id: str = Path(max_length=64)) -> JsonObject:
    desk = await _desk(request, access)
    return record_view(await desk.change(_booking_id(booking_id), body))


@router.delete("/bookings/{booking_id}", summary="Cancel a booking (kept, status cancelled)")
async def cancel_booking(request: Request, access: CompanyGuard,
                         booking_id: str = Path(max_length=64)) -> JsonObject:
    desk = await _desk(request, access)
    return record_view(await desk.cancel(_booking_id(booking_id)))


@router.get("/availability", summary="Free start times on a day for a service")
async def availability(
    request: Request, access: CompanyGuard,
    day: str = Query(alias="date", max_length=10),
    service: str | None = Query(None, max_length=200),
) -> JsonObject:
    desk = await _desk(request, access)
    wanted = _day(day, "date")
    name = service or desk.schedule.settings.services[0].name
    slots = await desk.availability(wanted, name)
    return {"date": wanted.isoformat(), "service": desk.schedule.service(name).name,
            "timezone": str(desk.schedule.tz), "slots": [slot.isoformat() for slot in slots]}
