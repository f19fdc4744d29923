"""Password hashing: the same cost for unknown emails, bcrypt's limit, its own threads."""

from __future__ import annotations

import asyncio
import threading

import bcrypt
import pytest

from tenancy.passwords import HasherBusy, PasswordHasher, hash_cost
from tenancy.users import Role, UserStore


async def test_unknown_emails_cost_one_check_at_the_same_rounds_as_real_ones(redis_async,
                                                                              monkeypatch):
    users = UserStore(redis_async, bcrypt_rounds=5)
    user = await users.create("timing@example.com", "right-password-1", Role.PLATFORM_ADMIN)
    checked: list[bytes] = []
    real_check = bcrypt.checkpw

    def recording_check(password: bytes, hashed: bytes) -> bool:
        checked.append(hashed)
        return real_check(password, hashed)

    monkeypatch.setattr(bcrypt, "checkpw", recording_check)
    assert await users.authenticate("nobody-here@example.com", "right-password-1") is None
    assert await users.authenticate("timing@example.com", "wrong-password-1") is None
    assert len(checked) == 2  # one bcrypt check each: the unknown email is not a shortcut
    assert hash_cost(checked[0]) == hash_cost(checked[1]) == hash_cost(user.passwordHash) == 5
    await redis_async.delete("g:user:timing@example.com")


async def test_passwords_over_72_bytes_are_refused_at_creation(redis_async):
    users = UserStore(redis_async, bcrypt_rounds=4)
    with pytest.raises(ValueError, match="72 bytes"):
        await users.create("long@example.com", "ü" * 40, Role.PLATFORM_ADMIN)
    assert await users.get("long@example.com") is None


async def test_bcrypt_runs_on_its_own_bounded_threads(monkeypatch):
    hasher = PasswordHasher(rounds=4, threads=1, max_in_flight=2)
    threads: list[str] = []
    release = threading.Event()
    real_hash = bcrypt.hashpw

    def blocking_hash(password: bytes, salt: bytes) -> bytes:
        threads.append(threading.current_thread().name)
        release.wait(10)
        return real_hash(password, salt)

    monkeypatch.setattr(bcrypt, "hashpw", blocking_hash)
    pending = [asyncio.create_task(hasher.hash("some-password")) for _ in range(2)]
    for _ in range(10):
        await asyncio.sleep(0)  # let both tasks reach the executor
    with pytest.raises(HasherBusy):
        await hasher.hash("one-too-many")
    release.set()
    hashes = await asyncio.gather(*pending)
    assert all(hash_cost(h) == 4 for h in hashes)
    assert threads and all(name.startswith("bcrypt") for name in threads)
