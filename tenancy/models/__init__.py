"""Pydantic models for everything a tenant owns."""

from tenancy.models.common import ApiModel, is_object_id, new_object_id, utc_now
from tenancy.models.company import (
    AI_MODELS,
    ELEVENLABS_MODELS,
    WEEKDAYS,
    Company,
    CompanyProfile,
    TradeCategory,
)
from tenancy.models.records import (
    CompanyQnA,
    Contact,
    ContactFields,
    ContactUpdate,
    Employee,
    EmployeeFields,
    EmployeeUpdate,
    QnAFields,
    QnAUpdate,
)

__all__ = [
    "AI_MODELS",
    "ELEVENLABS_MODELS",
    "WEEKDAYS",
    "ApiModel",
    "Company",
    "CompanyProfile",
    "CompanyQnA",
    "Contact",
    "ContactFields",
    "ContactUpdate",
    "Employee",
    "EmployeeFields",
    "EmployeeUpdate",
    "QnAFields",
    "QnAUpdate",
    "TradeCategory",
    "is_object_id",
    "new_object_id",
    "utc_now",
]
