"""The smaller documents a company owns: Q&A entries, employees and contacts.

Each comes as a trio: `...Create` (what a client sends to add one), `...Update`
(a partial change: every field optional) and the stored document with `_id` and
timestamps.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field

from tenancy.models.common import ApiModel, E164Phone, Email, ShortText, new_object_id, utc_now

Keywords = Annotated[list[Annotated[str, Field(min_length=1, max_length=60)]], Field(max_length=30)]
Notes = Annotated[str, Field(max_length=2000)]


class StoredRecord(ApiModel):
    id: str = Field(default_factory=new_object_id, alias="_id", pattern=r"^[0-9a-f]{24}$")
    createdAt: datetime = Field(default_factory=utc_now)
    updatedAt: datetime = Field(default_factory=utc_now)


# --- knowledge -----------------------------------------------------------------------------


class QnAFields(ApiModel):
    question: Annotated[str, Field(min_length=3, max_length=500)]
    answer: Annotated[str, Field(min_length=1, max_length=2000)]
    keywords: Keywords = Field(default_factory=list)
    category: Annotated[str, Field(max_length=60)] = "general"
    isActive: bool = True


class QnAUpdate(ApiModel):
    question: Annotated[str, Field(min_length=3, max_length=500)] | None = None
    answer: Annotated[str, Field(min_length=1, max_length=2000)] | None = None
    keywords: Keywords | None = None
    category: Annotated[str, Field(max_length=60)] | None = None
    isActive: bool | None = None


class CompanyQnA(StoredRecord, QnAFields):
    """One knowledge-base entry the agent may answer from."""


# --- staff ---------------------------------------------------------------------------------


class EmployeeFields(ApiModel):
    name: ShortText
    role: Annotated[str, Field(max_length=100)] = "Technician"
    phone: E164Phone
    email: Email | None = None
    isOnCall: bool = False


class EmployeeUpdate(ApiModel):
    name: ShortText | None = None
    role: Annotated[str, Field(max_length=100)] | None = None
    phone: E164Phone | None = None
    email: Email | None = None
    isOnCall: bool | None = None


class Employee(StoredRecord, EmployeeFields):
    """A person calls can be transferred to; `isOnCall` marks who takes emergencies."""


# --- contacts ------------------------------------------------------------------------------


class ContactFields(ApiModel):
    name: Annotated[str, Field(max_length=200)] = ""
    phone: E164Phone
    email: Email | None = None
    address: Annotated[str, Field(max_length=300)] = ""
    notes: Notes = ""
    lastCallAt: datetime | None = None
    callCount: Annotated[int, Field(ge=0)] = 0


class ContactUpdate(ApiModel):
    name: Annotated[str, Field(max_length=200)] | None = None
    phone: E164Phone | None = None
    email: Email | None = None
    address: Annotated[str, Field(max_length=300)] | None = None
    notes: Notes | None = None


class Contact(StoredRecord, ContactFields):
    """A known caller; returning callers are recognised by phone number."""
