"""Twilio request validation: `X-Twilio-Signature` over the public URL and the form.

The URL is rebuilt from PUBLIC_BASE_URL, never from the Host header, so a request
replayed through another host or a proxy cannot pass. The key is the company's own
Twilio auth token, or the platform's when the company has none.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlparse

from fastapi import Request
from twilio.request_validator import RequestValidator, compare, remove_port

from runtime.serve.errors import ApiError
from tenancy.models import Company

SIGNATURE_HEADER = "X-Twilio-Signature"


def public_url(request: Request, public_base_url: str) -> str:
    url = public_base_url.rstrip("/") + request.url.path
    return f"{url}?{request.url.query}" if request.url.query else url


async def twilio_form(request: Request) -> dict[str, str]:
    """Twilio posts application/x-www-form-urlencoded; one value per name."""
    body = (await request.body()).decode("utf-8", errors="replace")
    return dict(parse_qsl(body, keep_blank_values=True))


def signing_token(company: Company | None, platform_token: str | None) -> str | None:
    if company is not None and company.twilioConfig.authToken:
        return company.twilioConfig.authToken
    return platform_token


def verify_signature(
    request: Request, params: dict[str, str], token: str | None, public_base_url: str
) -> None:
    signature = request.headers.get(SIGNATURE_HEADER, "")
    if not signature or not token:
        raise ApiError(403, "INVALID_SIGNATURE", "missing X-Twilio-Signature")
    if not signed_by(RequestValidator(token), public_url(request, public_base_url), params,
                     signature):
        raise ApiError(403, "INVALID_SIGNATURE", "X-Twilio-Signature does not match")


def signed_by(validator: RequestValidator, url: str, params: dict[str, str],
              signature: str) -> bool:
    """The library's check, which signs the URL twice (without and with its port, as
    Twilio signs either) on every request: the first form, which Twilio uses for our
    portless public URLs, is tried alone first, the library's whole check after."""
    portless = remove_port(urlparse(url))
    return (compare(validator.compute_signature(portless, params), signature)
            or validator.validate(url, params, signature))
