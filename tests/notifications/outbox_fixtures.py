"""A company with staff, an outbox of its own, and a sender over the recording doubles."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import redis.asyncio as aioredis

from runtime.notifications.drain import NotificationDrain
from runtime.notifications.sender import NotificationSender, SenderConfig
from runtime.notifications.text_limits import TEXT_WINDOW_S, TextCaps, TextLimits
from runtime.providers.notify import TwilioAccount
from runtime.providers.notify_doubles import RecordingEmailSender, RecordingSmsSender
from runtime.window_counter import WindowCounter
from tenancy.models import CompanyProfile, EmployeeFields
from tenancy.notification_book import Outbox
from tenancy.registry import CompanyRegistry
from tenancy.store import TenantStore
from tests.serve_fixtures import SECRET_KEY, unique_number

KEY = SECRET_KEY  # the Serve app's key: companies created here stay readable by it
PLATFORM = TwilioAccount("AC" + "1" * 32, "platform-auth-token-0123")
BASE_URL = "https://calls.example.com"


def fresh_outbox() -> Outbox:
    tag = uuid.uuid4().hex
    return Outbox(stream=f"test:{tag}:outbox", delayed=f"test:{tag}:delayed")


async def staffed_company(registry: CompanyRegistry, **settings: object) -> TenantStore:
    """A company (no quiet hours unless asked) with an on-call tech, a dispatcher and a
    tech who is off duty."""
    company = await registry.create(CompanyProfile(
        companyName="Atlas Air", companyEmail="office@atlas.example", timezone="UTC",
        twilioConfig={"phoneNumbers": [{"phoneNumber": unique_number()}]},
        notificationSettings={"quietHours": {"enabled": False}, **settings},
    ))
    store = registry.tenant(company.id)
    await store.employees.add(EmployeeFields(
        name="Sam", role="Technician", phone=unique_number(), email="sam@atlas.example",
        isOnCall=True))
    await store.employees.add(EmployeeFields(
        name="Dana", role="Dispatcher", phone=unique_number(), email="dana@atlas.example"))
    await store.employees.add(EmployeeFields(name="Lee", role="Technician",
                                             phone=unique_number()))
    return store


@dataclass
class Outgoing:
    sms: RecordingSmsSender
    email: RecordingEmailSender
    sender: NotificationSender
    drain: NotificationDrain


def outgoing(redis: aioredis.Redis, registry: CompanyRegistry, outbox: Outbox,
             sms: RecordingSmsSender | None = None, texts_per_hour: int = 30,
             company_texts_per_hour: int = 500) -> Outgoing:
    sms = sms or RecordingSmsSender()
    email = RecordingEmailSender()
    sender = NotificationSender(registry, sms, email, SenderConfig(
        public_base_url=BASE_URL, platform_account=PLATFORM, max_attempts=3, outbox=outbox,
    ), TextLimits(WindowCounter(redis, TEXT_WINDOW_S), TextCaps(texts_per_hour,
                                                                company_texts_per_hour)))
    drain = NotificationDrain(redis, sender, outbox=outbox)
    return Outgoing(sms, email, sender, drain)
