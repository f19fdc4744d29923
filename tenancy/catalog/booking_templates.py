"""Shipped booking scripts: which details the agent collects, in what order, and how it asks.

A company picks one by id (`agentSetup.bookingScriptTemplate`); the public API lists them at
`GET /api/booking-scripts/templates`. Prompts may use `{companyName}`, `{callerNumber}`
and any slot collected earlier (`{name}`, `{address}`, `{service}`, `{preferredTime}`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from tenancy.models.company import TradeCategory


class BookingSlot(StrEnum):
    NAME = "name"
    CALLBACK_NUMBER = "callbackNumber"  # defaults to the caller id; the step only confirms it
    ADDRESS = "address"
    SERVICE = "service"
    PREFERRED_TIME = "preferredTime"
    CONFIRMATION = "confirmation"


@dataclass(frozen=True)
class BookingStep:
    slot: BookingSlot
    prompt: str
    required: bool = True

    def as_public_dict(self) -> dict[str, Any]:
        return {"slot": self.slot.value, "prompt": self.prompt, "required": self.required}


@dataclass(frozen=True)
class BookingTemplate:
    id: str
    name: str
    trade: TradeCategory | None  # None: fits every trade
    steps: tuple[BookingStep, ...]

    def as_public_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "trade": self.trade.value if self.trade else None,
            "steps": [step.as_public_dict() for step in self.steps],
        }


_NAME = BookingStep(BookingSlot.NAME, "Sure, I can set that up. May I have your name?")
_CALLBACK = BookingStep(
    BookingSlot.CALLBACK_NUMBER,
    "Is {callerNumber} the best number to reach you?",
)
_ADDRESS = BookingStep(BookingSlot.ADDRESS, "What's the address where you need the service?")
_TIME = BookingStep(
    BookingSlot.PREFERRED_TIME,
    "What day and time work best for you?",
)
_CONFIRM = BookingStep(
    BookingSlot.CONFIRMATION,
    "Let me confirm: {service} at {address} on {preferredTime}, and we'll call {name} at "
    "{callbackNumber} if anything changes. Is that right?",
)


def _template(
    template_id: str, name: str, trade: TradeCategory | None, service_prompt: str
) -> BookingTemplate:
    service = BookingStep(BookingSlot.SERVICE, service_prompt)
    return BookingTemplate(
        template_id, name, trade, (_NAME, _CALLBACK, _ADDRESS, service, _TIME, _CONFIRM)
    )


BOOKING_TEMPLATES: MappingProxyType[str, BookingTemplate] = MappingProxyType(
    {
        template.id: template
        for template in (
            _template(
                "standard-service-call",
                "Standard service call",
                None,
                "What can we help you with?",
            ),
            _template(
                "hvac-service-call",
                "HVAC repair or tune-up",
                TradeCategory.HVAC,
                "Is this for heating, cooling, or a tune-up, and what is the system doing?",
            ),
            _template(
                "plumbing-service-call",
                "Plumbing repair",
                TradeCategory.PLUMBING,
                "What's going on with the plumbing: a leak, a clog, the water heater, "
                "or something else?",
            ),
            _template(
                "electrical-service-call",
                "Electrical repair or install",
                TradeCategory.ELECTRICAL,
                "What electrical work do you need: a repair, or something new installed?",
            ),
            BookingTemplate(
                "quick-estimate",
                "Free estimate visit",
                None,
                (
                    _NAME,
                    _CALLBACK,
                    _ADDRESS,
                    BookingStep(BookingSlot.SERVICE, "What would you like an estimate for?"),
                    BookingStep(
                        BookingSlot.PREFERRED_TIME,
                        "When would be a good time for us to come out and take a look?",
                        required=False,
                    ),
                    _CONFIRM,
                ),
            ),
        )
    }
)

DEFAULT_BOOKING_TEMPLATE_ID = "standard-service-call"


def booking_template(template_id: str | None) -> BookingTemplate:
    """The template with this id, or the standard one when the id is None or unknown."""
    if template_id and template_id in BOOKING_TEMPLATES:
        return BOOKING_TEMPLATES[template_id]
    return BOOKING_TEMPLATES[DEFAULT_BOOKING_TEMPLATE_ID]


def booking_templates_public() -> list[dict[str, Any]]:
    """The JSON body of `GET /api/booking-scripts/templates`."""
    return [template.as_public_dict() for template in BOOKING_TEMPLATES.values()]
