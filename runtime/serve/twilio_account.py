"""The account a Twilio webhook comes from must be the company's own.

Twilio puts the calling account's SID in every webhook (`AccountSid`). A signed request
for a company whose numbers live in another Twilio account (a number claimed by the
wrong tenant, or a request signed with a leaked token of another account) is refused
with 403 JSON, as a bad signature is: it is not Twilio calling for this company, so
there is no caller to be polite to. Companies without an account of their own use the
platform's (`TWILIO_ACCOUNT_SID`); with neither configured there is nothing to compare.
"""

from __future__ import annotations

from runtime.serve.errors import ApiError
from tenancy.models import Company


def expected_account(company: Company | None, platform_account_sid: str | None) -> str | None:
    if company is None:
        return None
    return company.twilioConfig.accountSid or platform_account_sid


def verify_account(params: dict[str, str], company: Company | None,
                   platform_account_sid: str | None) -> None:
    """Raise 403 unless the webhook's `AccountSid` is the company's Twilio account."""
    expected = expected_account(company, platform_account_sid)
    if expected is not None and params.get("AccountSid", "").lower() != expected.lower():
        raise ApiError(403, "ACCOUNT_MISMATCH",
                       "AccountSid is not the Twilio account of the company this number is on")
