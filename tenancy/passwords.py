"""Password hashing off the event loop: bcrypt in its own small, bounded thread pool.

A bcrypt check at cost 12 is ~0.25 s of CPU. On the event loop's shared default
executor a login flood would queue ahead of every other blocking call of the replica
that also answers Twilio; its own single thread bounds logins to one core whatever
arrives, and a cap on checks in flight (about 2 s of work at cost 12) turns a flood
into quick refusals instead of a growing queue.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Annotated

import bcrypt
from pydantic import AfterValidator, Field

# bcrypt only reads the first 72 bytes of a password (bcrypt 5 refuses longer ones).
MAX_PASSWORD_BYTES = 72
MIN_PASSWORD_LENGTH = 10


class HasherBusy(Exception):
    """Too many password checks are already running or waiting; try again shortly."""


def check_password_bytes(password: str) -> str:
    if len(password.encode()) > MAX_PASSWORD_BYTES:
        raise ValueError(f"password must be at most {MAX_PASSWORD_BYTES} bytes (UTF-8)")
    return password


# A password as it arrives at the API: bcrypt's limit is an input error, not a crash.
PasswordInput = Annotated[str, Field(min_length=1, max_length=MAX_PASSWORD_BYTES),
                          AfterValidator(check_password_bytes)]


def hash_cost(hashed: bytes | str) -> int:
    """The cost (log2 rounds) a bcrypt hash was made with: `$2b$12$...` → 12."""
    text = hashed.decode() if isinstance(hashed, bytes) else hashed
    return int(text.split("$")[2])


class PasswordHasher:
    def __init__(self, rounds: int, threads: int = 1, max_in_flight: int = 8) -> None:
        self.rounds = rounds
        self._executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="bcrypt")
        self._max_in_flight = max_in_flight
        self._in_flight = 0
        self._dummy: bytes | None = None

    async def hash(self, password: str) -> str:
        check_password_bytes(password)
        salt = bcrypt.gensalt(rounds=self.rounds)
        return (await self._run(bcrypt.hashpw, password.encode(), salt)).decode()

    async def check(self, password: str, hashed: str | None) -> bool:
        """Compare; with no stored hash, compare against a dummy of the same cost (same time)."""
        check_password_bytes(password)
        stored = hashed.encode() if hashed is not None else await self.dummy_hash()
        matches = await self._run(bcrypt.checkpw, password.encode(), stored)
        return bool(matches) and hashed is not None

    async def dummy_hash(self) -> bytes:
        """A hash nobody's password matches, made at this hasher's cost, as real ones are."""
        if self._dummy is None:
            salt = bcrypt.gensalt(rounds=self.rounds)
            self._dummy = await self._run(bcrypt.hashpw, b"clientsvia-timing-guard", salt)
        return self._dummy

    async def _run(self, function, *args):  # noqa: ANN001, ANN202 - bcrypt's own signatures
        if self._in_flight >= self._max_in_flight:
            raise HasherBusy("too many sign-ins in progress")
        self._in_flight += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(self._executor, function, *args)
        finally:
            self._in_flight -= 1
