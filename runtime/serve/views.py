"""How stored documents look on the wire: `_id` ids, camelCase fields, secrets masked."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from runtime.serve.services import Services
from tenancy.models import ApiModel, Company
from tenancy.secrets import mask_document


def company_view(company: Company) -> dict[str, Any]:
    return mask_document(company.model_dump(mode="json", by_alias=True))


def record_view(record: ApiModel) -> dict[str, Any]:
    return record.model_dump(mode="json", by_alias=True)


def services_of(request: Request) -> Services:
    services: Services = request.app.state.services
    return services
