"""Who a call is transferred to, and from which number.

Never the company's own Twilio numbers (that would ring the agent again).
"""

from __future__ import annotations

from dataclasses import dataclass

from runtime.conversation.context import CallContext
from runtime.conversation.snapshot import CompanySnapshot


@dataclass(frozen=True)
class TransferTarget:
    number: str
    who: str  # spoken: "our on-call technician", "our team"
    on_call: bool


def emergency_target(snapshot: CompanySnapshot, ctx: CallContext) -> TransferTarget | None:
    """The on-call employee, else the company's own phone line."""
    person = snapshot.on_call_staff()
    if person is not None and _reachable(person.phone, snapshot, ctx):
        return TransferTarget(person.phone, f"our on-call {person.role.lower()}", True)
    return _office(snapshot, ctx)


def staff_target(snapshot: CompanySnapshot, ctx: CallContext) -> TransferTarget | None:
    """During hours: the office line, else whoever is on call, else the first staff member."""
    office = _office(snapshot, ctx)
    if office is not None:
        return office
    person = snapshot.on_call_staff() or next(iter(snapshot.staff), None)
    if person is not None and _reachable(person.phone, snapshot, ctx):
        return TransferTarget(person.phone, "a member of our team", person.is_on_call)
    return None


def transfer_caller_id(snapshot: CompanySnapshot, ctx: CallContext) -> str | None:
    """The company number the caller dialled, so staff see it is a company call."""
    return ctx.called_number or snapshot.primary_number


def _office(snapshot: CompanySnapshot, ctx: CallContext) -> TransferTarget | None:
    phone = snapshot.company_phone
    if phone and _reachable(phone, snapshot, ctx):
        return TransferTarget(phone, "our team", False)
    return None


def _reachable(number: str, snapshot: CompanySnapshot, ctx: CallContext) -> bool:
    return number not in snapshot.phone_numbers and number != ctx.called_number
