"""The messages inbox and the notifications list, read and changed as the inbox API does."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from runtime.serve.routers.inbox import company_store, newest_messages, newest_notifications
from runtime.serve.services import Services
from tenancy.models.messages import MessageUpdate, Notification, TakenMessage

LIST_LIMIT = 200
StatusFilter = Literal["new", "handled"] | None


@dataclass(frozen=True)
class InboxView:
    status: StatusFilter
    messages: list[TakenMessage]
    new_count: int


async def inbox_view(services: Services, company_id: str, status: StatusFilter) -> InboxView:
    store = await company_store(services, company_id)
    messages = await newest_messages(store, status, LIST_LIMIT)
    new = messages if status == "new" else await newest_messages(store, "new", LIST_LIMIT)
    return InboxView(status=status, messages=messages, new_count=len(new))


async def set_message_status(services: Services, company_id: str, message_id: str,
                             status: Literal["new", "handled"]) -> TakenMessage:
    """PATCH /messages/{id} with `status` (ids are checked by the caller)."""
    store = await company_store(services, company_id)
    return await store.messages.update(message_id, MessageUpdate(status=status))


async def notifications_view(services: Services, company_id: str) -> list[Notification]:
    return await newest_notifications(await company_store(services, company_id), LIST_LIMIT)
