"""Console sessions: found by their token only, lapse when idle and after a fixed age,
and end when their user is changed or removed."""

from __future__ import annotations

import secrets

import pytest

from tenancy.console_sessions import ConsoleSessionStore, SessionPolicy, session_key
from tenancy.users import Role, User, UserStore

COMPANY = "a" * 24
PASSWORD = "office-pass-0001"


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(redis_async, clock) -> ConsoleSessionStore:
    return ConsoleSessionStore(redis_async, SessionPolicy(idle_s=600, absolute_s=3600), clock)


@pytest.fixture
def users(redis_async) -> UserStore:
    return UserStore(redis_async, bcrypt_rounds=4)


async def new_user(users: UserStore, role: Role = Role.COMPANY_ADMIN) -> User:
    email = f"office-{secrets.token_hex(4)}@example.com"
    return await users.create(email, PASSWORD, role,
                              None if role is Role.PLATFORM_ADMIN else COMPANY)


@pytest.fixture
async def office(users) -> User:
    return await new_user(users)


async def test_a_session_is_resumed_by_its_token_and_ended_by_logout(store, redis_async,
                                                                     office):
    token, session = await store.start(office)
    resumed = await store.resume(token)
    assert resumed == session and resumed.companyId == office.companyId
    assert not [k async for k in redis_async.scan_iter(match=f"*{token}*")]  # stored hashed
    assert await store.resume(token + "x") is None
    await store.end(token)
    assert await store.resume(token) is None


async def test_idle_expiry_is_the_key_ttl_renewed_on_use(store, redis_async, office):
    token, _ = await store.start(office)
    key = session_key(token)
    await redis_async.expire(key, 5)
    await store.resume(token)
    assert 590 <= await redis_async.ttl(key) <= 600


async def test_a_busy_session_still_ends_at_its_absolute_age(store, clock, redis_async,
                                                             office):
    token, _ = await store.start(office)
    clock.now += 3500
    assert await store.resume(token) is not None
    assert 0 < await redis_async.ttl(session_key(token)) <= 100  # never past the age
    clock.now += 101
    assert await store.resume(token) is None


async def sessions_of(store: ConsoleSessionStore, user: User, count: int = 2) -> list[str]:
    tokens = [(await store.start(user))[0] for _ in range(count)]
    assert all([await store.resume(token) for token in tokens])
    return tokens


@pytest.mark.parametrize("change", ["role", "company", "password", "removal"])
async def test_a_change_to_the_user_ends_all_their_sessions(store, users, redis_async, change):
    user, bystander = await new_user(users), await new_user(users)
    tokens = await sessions_of(store, user)
    [other] = await sessions_of(store, bystander, 1)
    if change == "role":
        await users.update(user.email, {"role": Role.COMPANY_VIEWER})
    elif change == "company":
        await users.update(user.email, {"companyId": "b" * 24})
    elif change == "password":
        await users.reset_password(user.email, "a-new-password-42")
    else:
        await users.remove(user.email)
    assert [await store.resume(token) for token in tokens] == [None, None]
    assert not await redis_async.exists(*[session_key(token) for token in tokens])
    assert await store.resume(other) is not None  # someone else's sessions go on


async def test_a_change_that_changes_nothing_keeps_the_sessions(store, users):
    user = await new_user(users)
    [token] = await sessions_of(store, user, 1)
    await users.update(user.email, {"role": Role.COMPANY_ADMIN, "companyId": COMPANY})
    assert await store.resume(token) is not None


async def test_a_removed_user_made_again_does_not_get_the_old_sessions_back(store, users):
    user = await new_user(users)
    [token] = await sessions_of(store, user, 1)
    await users.remove(user.email)
    await users.create(user.email, PASSWORD, Role.COMPANY_ADMIN, COMPANY)
    assert await store.resume(token) is None
