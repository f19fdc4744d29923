"""The steps of a phone booking and the words for them, from the company's booking script.

The company picks a shipped template (`agentSetup.bookingScriptTemplate`); without one the
template for its first trade is used, else the standard one. Prompts are filled with the
caller's answers so far (`{name}`, `{address}`, `{service}`, `{preferredTime}`...).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from runtime.conversation.booking_answers import spoken_phone, spoken_when
from runtime.conversation.context import CallContext
from runtime.conversation.snapshot import CompanySnapshot
from runtime.conversation.text import fill_template
from tenancy.catalog.booking_templates import (
    BOOKING_TEMPLATES,
    BookingSlot,
    BookingTemplate,
    booking_template,
)


class Step(StrEnum):
    """Where a booking stands: the question the caller is answering."""

    SERVICE = "service"
    WHEN = "when"
    OFFER = "offer"
    NAME = "name"
    ADDRESS = "address"
    CALLBACK = "callback"
    CALLBACK_NUMBER = "callback_number"
    CONFIRM = "confirm"
    CHANGE = "change"
    MANAGE = "manage"
    CANCEL = "cancel"


FIXED_QUESTIONS = {  # steps outside the company's script
    Step.MANAGE: "Would you like to keep your visit, reschedule it, or cancel it?",
    Step.CANCEL: "Should I cancel that visit?",
    Step.CHANGE: "What should I change: the time, the address, the name, or the phone number?",
    Step.CALLBACK_NUMBER: "What's the best number to reach you?",
}
_TEMPLATE_SLOTS = {
    Step.SERVICE: BookingSlot.SERVICE,
    Step.WHEN: BookingSlot.PREFERRED_TIME,
    Step.NAME: BookingSlot.NAME,
    Step.ADDRESS: BookingSlot.ADDRESS,
    Step.CALLBACK: BookingSlot.CALLBACK_NUMBER,
    Step.CONFIRM: BookingSlot.CONFIRMATION,
}


def template_for(snapshot: CompanySnapshot) -> BookingTemplate:
    if snapshot.booking_template_id:
        return booking_template(snapshot.booking_template_id)
    for trade in snapshot.trade_categories:
        for template in BOOKING_TEMPLATES.values():
            if template.trade is not None and template.trade.value == trade:
                return template
    return booking_template(None)


@dataclass(frozen=True)
class BookingScript:
    template: BookingTemplate
    snapshot: CompanySnapshot
    ctx: CallContext
    now: datetime  # company local time

    @classmethod
    def of(cls, snapshot: CompanySnapshot, ctx: CallContext, now: datetime) -> BookingScript:
        return cls(template_for(snapshot), snapshot, ctx, now)

    @property
    def time_required(self) -> bool:
        return any(step.required for step in self.template.steps
                   if step.slot is BookingSlot.PREFERRED_TIME)

    @property
    def message_prompt(self) -> str:
        return fill_template(self.snapshot.lines.message_prompt,
                             {"companyName": self.snapshot.company_name})

    def times(self, offers: list[datetime]) -> str:
        """"tomorrow at 9 AM or tomorrow at 10 AM"."""
        return " or ".join(spoken_when(offer, self.now) for offer in offers)

    def prompt(self, step: Step, slots: dict[str, str]) -> str:
        """The question of this step, filled with what the caller said so far."""
        if step is Step.OFFER:
            offers = [datetime.fromisoformat(iso) for iso in slots["offers"].split("|")]
            return f"Which works better: {self.times(offers)}?"
        if step in FIXED_QUESTIONS:
            return FIXED_QUESTIONS[step]
        slot = _TEMPLATE_SLOTS[step]
        template_step = next(s for s in self.template.steps if s.slot is slot)
        start = slots.get("start")
        values = {
            "companyName": self.snapshot.company_name,
            "callerNumber": spoken_phone(self.ctx.caller_number),
            "name": slots.get("name", ""),
            "address": slots.get("address", ""),
            "service": slots.get("service", "").lower(),
            "callbackNumber": spoken_phone(slots.get("callbackNumber", "")),
            "preferredTime": spoken_when(datetime.fromisoformat(start), self.now) if start else "",
        }
        return fill_template(template_step.prompt, values)
