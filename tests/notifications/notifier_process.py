"""A notification drain in its own process, for the test that kills it with SIGKILL.

`python -m tests.notifications.notifier_process REDIS_URL STREAM DELAYED JOURNAL MODE`:
MODE `hold` writes "holding" to JOURNAL when it is about to send, then never sends;
MODE `send` sends through a double that appends "sent <to>" to JOURNAL.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from runtime.providers.notify import SmsRequest, TwilioAccount
from runtime.providers.notify_doubles import RecordingSmsSender
from runtime.redis_client import redis_client
from tenancy.notification_book import Outbox
from tenancy.registry import CompanyRegistry
from tenancy.secrets import SecretBox
from tests.notifications.outbox_fixtures import KEY, outgoing


class JournalSms(RecordingSmsSender):
    def __init__(self, journal: Path, hold: bool) -> None:
        super().__init__()
        self._journal = journal
        self._hold = hold

    def _write(self, line: str) -> None:
        with self._journal.open("a") as out:
            out.write(line + "\n")

    async def send(self, request: SmsRequest, account: TwilioAccount | None) -> str:
        if self._hold:
            self._write(f"holding {request.to}")
            await asyncio.Event().wait()  # killed here: stored, read, never sent
        sid = await super().send(request, account)
        self._write(f"sent {request.to}")
        return sid


async def main(redis_url: str, stream: str, delayed: str, journal: str, mode: str) -> None:
    redis = redis_client(redis_url)
    registry = CompanyRegistry(redis, SecretBox(KEY))
    sms = JournalSms(Path(journal), hold=mode == "hold")
    out = outgoing(redis, registry, Outbox(stream, delayed), sms)
    await out.drain.run(asyncio.Event())


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:6]))
