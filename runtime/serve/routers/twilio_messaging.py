"""Twilio's signed delivery-status callback for the texts notifications send.

Statuses only move forward (queued → sent → delivered; failed/undelivered → failed),
so callbacks arriving out of order never undo a later state.
"""

from __future__ import annotations

import re

from fastapi import APIRouter, Request, Response

from runtime.serve.errors import ApiError
from runtime.serve.routers.twilio_voice import CompanyId, _live_call
from runtime.serve.views import services_of
from tenancy.models import utc_now

router = APIRouter(prefix="/api/twilio", tags=["twilio"])

_MESSAGE_SID = re.compile(r"^(SM|MM)[0-9a-fA-F]{32}$")
TWILIO_TO_OURS = {"sent": "sent", "delivered": "delivered", "read": "delivered",
                  "failed": "failed", "undelivered": "failed"}
RANK = {"queued": 0, "sent": 1, "delivered": 2, "failed": 3}


@router.post("/message-status/{company_id}", status_code=204,
             summary="Delivery status of a text a notification sent")
async def message_status(request: Request, company_id: str = CompanyId) -> Response:
    hook = await _live_call(request, company_id)
    sid = hook.params.get("MessageSid", "")
    if not _MESSAGE_SID.match(sid):
        raise ApiError(400, "INVALID_MESSAGE_SID", "MessageSid must be SM followed by 32 hex "
                       "digits")
    status = TWILIO_TO_OURS.get(hook.params.get("MessageStatus", ""))
    book = services_of(request).registry.tenant(company_id).notifications
    notification = await book.find_by_provider_id(sid)
    if status is None or notification is None or RANK[status] <= RANK[notification.status]:
        return Response(status_code=204)  # an interim status, an unknown or older one
    error = hook.params.get("ErrorCode", "")
    await book.save(notification.model_copy(update={
        "status": status, "updatedAt": utc_now(),
        "lastError": f"twilio error {error}"[:500] if error else notification.lastError,
    }))
    return Response(status_code=204)
