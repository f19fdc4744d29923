"""`clientsvia text`: send texts to a company's number as Twilio would, print the replies.

Each text is a signed form POST to `/api/twilio/sms` with a fresh MessageSid (as Twilio's
inbound-message webhook); the replies are the TwiML `<Message>`s the server answers with.
"""

from __future__ import annotations

import argparse
import secrets
import sys
import xml.etree.ElementTree as ET
from typing import TextIO

import httpx
from twilio.request_validator import RequestValidator

SMS_PATH = "/api/twilio/sms"
EXIT_OK, EXIT_FAILED = 0, 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--base-url", default="http://127.0.0.1:8000", help="server to text")
    parser.add_argument("--public-base-url", default=None,
                        help="the server's PUBLIC_BASE_URL, which signatures cover "
                             "(default: --base-url)")
    parser.add_argument("--auth-token", default=None, help="Twilio auth token to sign with")
    parser.add_argument("--to", required=True, help="the company's number, E.164")
    parser.add_argument("--from", dest="from_", default="+12395550142",
                        help="the customer's number (default +12395550142)")
    parser.add_argument("--body", dest="bodies", action="append", default=[], metavar="TEXT",
                        help="a text to send, in order (repeatable; STOP, START, HELP too)")


async def send_text(http: httpx.AsyncClient, public_base_url: str, auth_token: str,
                    params: dict[str, str]) -> httpx.Response:
    """One inbound-text webhook, signed over the public URL."""
    signature = RequestValidator(auth_token).compute_signature(
        public_base_url.rstrip("/") + SMS_PATH, params)
    return await http.post(SMS_PATH, data=params, headers={"X-Twilio-Signature": signature})


async def run(args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    if not args.auth_token:
        print("clientsvia text: --auth-token is required (no dev token found)", file=out)
        return EXIT_FAILED
    public = args.public_base_url or args.base_url
    async with httpx.AsyncClient(base_url=args.base_url, timeout=30) as http:
        for body in args.bodies:
            params = {"MessageSid": "SM" + secrets.token_hex(16), "AccountSid": "AC" + "0" * 32,
                      "From": args.from_, "To": args.to, "Body": body, "NumMedia": "0"}
            print(f"customer: {body}", file=out)
            response = await send_text(http, public, args.auth_token, params)
            if response.status_code != 200:
                print(f"  HTTP {response.status_code}: {response.text}", file=out)
                return EXIT_FAILED
            replies = [m.text or "" for m in ET.fromstring(response.text).iter("Message")]
            for reply in replies or ["(no reply)"]:
                print(f"   agent: {reply}", file=out)
    return EXIT_OK
