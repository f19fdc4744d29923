"""`clientsvia call`: place one simulated Twilio call and print the conversation.

The quickest way to hear what a tenant's agent says, end to end, against a running server:
the request is signed and shaped exactly as Twilio's, so it goes through the same checks.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from typing import TextIO, get_args

import httpx

from loadtest.twilio_sim import (
    AgentPlayed,
    AgentSaid,
    CallerSaid,
    CallerSilent,
    CallEvent,
    CallRecord,
    DialOutcome,
    Redirected,
    Transferred,
    TwilioCallSimulator,
    WebhookRequest,
)

EXIT_OK, EXIT_CALL_FAILED, EXIT_USAGE = 0, 1, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the options; a caller may `parser.set_defaults(auth_token=...)` from its config."""
    parser.add_argument("--base-url", default="http://127.0.0.1:8000", help="server to call")
    parser.add_argument(
        "--public-base-url",
        default=None,
        help="the server's PUBLIC_BASE_URL, which signatures cover (default: --base-url)",
    )
    parser.add_argument("--auth-token", default=None, help="Twilio auth token to sign with")
    parser.add_argument("--to", required=True, help="the company's number, E.164")
    parser.add_argument("--from", dest="from_", default="+12395550142",
                        help="the caller's number (default +12395550142)")
    parser.add_argument(
        "--say",
        dest="utterances",
        action="append",
        default=[],
        metavar="TEXT",
        help="what the caller says at each Gather, in order (repeatable)",
    )
    parser.add_argument(
        "--company-id",
        default=None,
        help="call /api/twilio/webhook/{id} (default: /api/twilio/voice, company from --to)",
    )
    parser.add_argument(
        "--dial-outcome",
        choices=get_args(DialOutcome),
        default="no-answer",
        help="what happens when the agent transfers the call",
    )
    parser.add_argument(
        "--status-callback-url",
        default=None,
        help="status callback URL (default: /api/twilio/status/{company-id} with --company-id)",
    )
    parser.add_argument(
        "--no-status-callback", action="store_true", help="do not send the status callback"
    )


async def run(
    args: argparse.Namespace, out: TextIO = sys.stdout, *, http: httpx.AsyncClient | None = None
) -> int:
    """Place the call; 0 when it ran cleanly, 1 when the call hit errors, 2 on bad usage.

    `http` lets an embedding program (or a test) supply the client and its transport.
    """
    if not args.auth_token:
        print("error: --auth-token is required to sign requests as Twilio", file=out)
        return EXIT_USAGE
    async with TwilioCallSimulator(
        args.base_url,
        args.auth_token,
        public_base_url=args.public_base_url,
        http=http,
        raise_on_error=False,
    ) as simulator:
        record = await simulator.place_call(
            to=args.to,
            from_=args.from_,
            utterances=list(args.utterances),
            company_id=args.company_id,
            dial_outcome=args.dial_outcome,
            status_callback=not args.no_status_callback,
            status_callback_url=args.status_callback_url,
        )
    print(format_record(record, args.from_, args.to), file=out)
    return EXIT_OK if record.ok else EXIT_CALL_FAILED


def format_record(record: CallRecord, from_: str, to: str) -> str:
    """The conversation as a person reads it: who said what, transfers, and latencies."""
    lines = [f"call {record.call_sid} from {from_} to {to}"]
    lines += [f"  {format_event(event)}" for event in record.events]
    lines.append(_summary(record))
    if record.status_callback_url is None:
        lines.append("no status callback sent (give --company-id or --status-callback-url)")
    lines += [f"ERROR: {error}" for error in record.errors]
    return "\n".join(lines)


def format_event(event: CallEvent) -> str:
    match event:
        case AgentSaid(text=text):
            return f"agent:  {text}"
        case AgentPlayed():
            return (
                f"agent:  (plays {event.url}: {event.size} bytes {event.encoding} "
                f"{event.sample_rate} Hz, fetched in {_ms(event.fetch_seconds)})"
            )
        case CallerSaid(text=text, heard=True):
            return f"caller: {text}"
        case CallerSaid(text=text):
            return f"caller: {text}  (not heard: the Gather does not listen for speech)"
        case CallerSilent():
            return "caller: (silence)"
        case Transferred():
            return (
                f"-> transfer to {', '.join(event.numbers)} "
                f"(caller id {event.caller_id or 'unset'}): {event.outcome}"
            )
        case Redirected(url=url):
            return f"-> redirect to {url}"
        case WebhookRequest():
            return (
                f"[{event.kind} {_ms(event.seconds)}] {event.method} {event.url} "
                f"-> {event.status_code}"
            )
    raise TypeError(f"unknown call event {event!r}")


def _summary(record: CallRecord) -> str:
    parts = [f"ended by {record.ended_by}"]
    if record.setup_seconds is not None:
        parts.append(f"setup {_ms(record.setup_seconds)}")
    turns = record.turn_seconds
    if turns:
        parts.append(
            f"{len(turns)} turn requests, median {_ms(statistics.median(turns))}, "
            f"max {_ms(max(turns))}"
        )
    return "; ".join(parts)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"
