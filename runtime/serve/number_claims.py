"""Who may claim a phone number for a company: the rule that keeps calls with their owner.

A number routes calls (`POST /api/twilio/voice`) to whichever company holds it, so a
company admin may only claim numbers its own Twilio account owns, as Twilio's API says
with the company's credentials. A company without credentials of its own (on the
platform's Twilio account) gets numbers from a platform admin only.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from runtime.providers.base import ProviderError
from runtime.providers.twilio_numbers import (
    CredentialsRejected,
    NumberDirectory,
    TwilioCredentials,
)
from runtime.serve.auth import Principal
from runtime.serve.errors import ApiError
from tenancy.models import Company

ClaimApproval = Callable[[Company, list[str]], Awaitable[None]]


def claim_approval(directory: NumberDirectory, principal: Principal) -> ClaimApproval:
    """What the registry asks before it claims `numbers` for the company as it will be."""

    async def approve(company: Company, numbers: list[str]) -> None:
        if not numbers or principal.is_platform_admin:
            return
        config = company.twilioConfig
        if not (config.accountSid and config.authToken):
            raise ApiError(403, "CLAIM_NEEDS_PLATFORM_ADMIN",
                           "this company has no Twilio account of its own (twilioConfig."
                           "accountSid and authToken); ask a platform admin to add the number")
        credentials = TwilioCredentials(config.accountSid, config.authToken)
        for number in numbers:
            try:
                owned = await directory.owns(credentials, number)
            except CredentialsRejected as exc:
                raise ApiError(422, "TWILIO_CREDENTIALS_REJECTED",
                               "Twilio refused twilioConfig.accountSid/authToken; "
                               "correct them before adding numbers") from exc
            except ProviderError as exc:
                raise ApiError(503, "TWILIO_UNAVAILABLE",
                               "could not check the number with Twilio; try again") from exc
            if not owned:
                raise ApiError(403, "NUMBER_NOT_IN_ACCOUNT",
                               f"{number} is not a number of Twilio account {config.accountSid}")

    return approve
