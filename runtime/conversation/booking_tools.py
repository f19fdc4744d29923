"""The booking tools a language model is offered; both run the same booking flow."""

from __future__ import annotations

from runtime.providers.base import ToolSpec

_TIME_ARGUMENTS = {"type": "object", "properties": {
    "service": {"type": "string", "description": "what the visit is for"},
    "preferred_time": {"type": "string",
                       "description": "when the caller wants it, in their words"},
}}
FIND_SLOTS_TOOL = ToolSpec(
    "find_slots",
    "Look up free appointment times when the caller asks what is available; the caller is "
    "offered two concrete times and the booking continues from there.", _TIME_ARGUMENTS,
)
BOOK_TOOL = ToolSpec(
    "book_appointment",
    "Start booking a service visit when the caller wants someone to come out. The booking "
    "flow then asks for the details and offers free times.", _TIME_ARGUMENTS,
)
