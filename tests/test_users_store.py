"""Console and API users managed by a platform admin: listed, changed, removed, with the
model's rules holding and one platform admin always left."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from tenancy.errors import InvalidDocument, NotFound
from tenancy.users import (
    USER_INDEX_COMPLETE_KEY,
    USER_INDEX_KEY,
    LastPlatformAdmin,
    Role,
    User,
    UserStore,
    user_key,
)

PASSWORD = "store-pass-0001"
COMPANY, OTHER_COMPANY = "c" * 24, "d" * 24
USERS_DB = 11  # no other test uses it


@pytest.fixture
async def redis_async(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    """A database of the session's Redis of this module's own, emptied for each test:
    the last-admin rule counts every user there is."""
    client = aioredis.Redis.from_url(redis_url, db=USERS_DB, decode_responses=True)
    await client.flushdb()
    yield client
    await client.aclose()


@pytest.fixture
def users(redis_async) -> UserStore:
    return UserStore(redis_async, bcrypt_rounds=4)


async def new_user(users: UserStore, role: Role, company: str | None = COMPANY) -> User:
    email = f"u-{secrets.token_hex(4)}@Store.example"
    return await users.create(email, PASSWORD, role,
                              None if role is Role.PLATFORM_ADMIN else company)


async def test_users_are_listed_by_email_and_by_company(users):
    admin = await new_user(users, Role.PLATFORM_ADMIN)
    viewer = await new_user(users, Role.COMPANY_VIEWER)
    other = await new_user(users, Role.COMPANY_ADMIN, OTHER_COMPANY)
    assert [u.email for u in await users.list()] == sorted(
        u.email.lower() for u in (admin, viewer, other))
    assert [u.email for u in await users.list(COMPANY)] == [viewer.email]


async def test_users_stored_before_the_index_are_listed(users, redis_async):
    legacy = User(email="legacy@store.example", role=Role.COMPANY_ADMIN, companyId=COMPANY,
                  passwordHash="$2b$04$unused")
    await redis_async.set(user_key(legacy.email), legacy.model_dump_json())
    await redis_async.delete(USER_INDEX_KEY, USER_INDEX_COMPLETE_KEY)
    assert [u.email for u in await users.list()] == [legacy.email]


async def test_role_and_company_change_and_the_rules_still_hold(users, redis_async):
    await new_user(users, Role.PLATFORM_ADMIN)
    user = await new_user(users, Role.COMPANY_ADMIN)
    moved = await users.update(user.email, {"role": "company_viewer", "companyId": OTHER_COMPANY})
    assert (moved.role, moved.companyId) == (Role.COMPANY_VIEWER, OTHER_COMPANY)
    assert await users.get(user.email) == moved and moved.sessionStamp != user.sessionStamp
    stored = await redis_async.get(user_key(user.email))
    for bad in ({"role": "platform_admin"}, {"companyId": None}, {"companyId": "nope"},
                {"role": "owner"}, {"passwordHash": "x"}):
        with pytest.raises(InvalidDocument):
            await users.update(user.email, bad)
    assert await redis_async.get(user_key(user.email)) == stored
    promoted = await users.update(user.email, {"role": "platform_admin", "companyId": None})
    assert promoted.role is Role.PLATFORM_ADMIN and promoted.companyId is None


async def test_a_reset_password_replaces_the_old_one(users):
    user = await new_user(users, Role.COMPANY_ADMIN)
    with pytest.raises(ValueError, match="at least 10"):
        await users.reset_password(user.email, "short")
    assert await users.authenticate(user.email, PASSWORD) is not None
    await users.reset_password(user.email, "another-pass-0002")
    assert await users.authenticate(user.email, PASSWORD) is None
    assert await users.authenticate(user.email, "another-pass-0002") is not None


async def test_unknown_users_are_not_found(users):
    for change in (users.update("nobody@store.example", {"role": "company_admin"}),
                   users.reset_password("nobody@store.example", "another-pass-0002"),
                   users.remove("nobody@store.example")):
        with pytest.raises(NotFound):
            await change
    assert await users.list() == []


async def test_the_last_platform_admin_stays(users):
    first = await new_user(users, Role.PLATFORM_ADMIN)
    with pytest.raises(LastPlatformAdmin):
        await users.remove(first.email)
    with pytest.raises(LastPlatformAdmin):
        await users.update(first.email, {"role": "company_admin", "companyId": COMPANY})
    assert await users.get(first.email) == first
    second = await new_user(users, Role.PLATFORM_ADMIN)
    await users.update(first.email, {"role": "company_admin", "companyId": COMPANY})
    with pytest.raises(LastPlatformAdmin):
        await users.remove(second.email)
    await users.reset_password(second.email, "another-pass-0002")  # still an admin: fine
    await users.remove(first.email)
    assert [u.email for u in await users.list()] == [second.email.lower()]
