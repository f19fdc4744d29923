"""Signing in over HTTP: guessing is throttled per account and per address, across replicas."""

from __future__ import annotations

import ipaddress
import itertools
import secrets

import pytest

from tenancy.login_attempts import LoginPolicy

pytestmark = pytest.mark.ray

PASSWORD = "correct-horse-battery"


# The server keys the address throttle on the last hop. Each test's hop is new for the
# session (the other tests lock theirs), so no test inherits another's lock: random picks
# from 250 hops collided now and then and a first typo got a 429.
_hops = itertools.count(secrets.randbelow(1 << 23))


def client_address() -> str:
    last_hop = ipaddress.IPv4Address((10 << 24) + next(_hops) % (1 << 24))
    return f"198.51.100.{secrets.randbelow(250) + 1}, {last_hop}"


@pytest.fixture
def account(admin) -> str:
    email = f"owner-{secrets.token_hex(6)}@throttle.example"
    created = admin.post("/api/admin/users",
                         json={"email": email, "password": PASSWORD, "role": "platform_admin"})
    assert created.status_code == 201, created.text
    return email


def login(api_server, email: str, password: str, address: str):  # noqa: ANN201
    with api_server.client() as anonymous:
        return anonymous.post("/api/auth/login", json={"email": email, "password": password},
                              headers={"X-Forwarded-For": address})


def test_fifty_wrong_passwords_are_throttled_and_lock_the_account(api_server, account):
    address = client_address()
    answers = [login(api_server, account, f"wrong-guess-{i:03d}", address) for i in range(50)]
    statuses = [answer.status_code for answer in answers]
    free = LoginPolicy().free_failures_per_account
    assert statuses[:free] == [401] * free  # a few honest typos are free
    # Each failure past the free ones locks for twice as long (2, 4, 8, 16 s...): a fifth
    # extra guess would need 30 s of waiting, far beyond what 50 requests take here.
    assert statuses.count(401) <= free + 4 and statuses.count(429) >= 50 - free - 4
    throttled = next(answer for answer in answers if answer.status_code == 429)
    assert int(throttled.headers["Retry-After"]) >= 1
    assert throttled.json()["error"] == "TOO_MANY_ATTEMPTS"
    # The right password does not get through a locked account, from anywhere.
    assert login(api_server, account, PASSWORD, client_address()).status_code == 429


def test_one_address_guessing_many_accounts_is_throttled(api_server, admin):
    address = client_address()
    free = LoginPolicy().free_failures_per_address
    statuses = [login(api_server, f"guess-{i}-{secrets.token_hex(4)}@throttle.example",
                      "wrong-guess-000", address).status_code for i in range(free + 5)]
    assert statuses[:free] == [401] * free and statuses[-1] == 429
    assert login(api_server, "someone@else.example", "wrong-guess-000",
                 client_address()).status_code == 401  # other clients are not locked out


def test_success_clears_the_accounts_failures(api_server, account):
    address = client_address()
    free = LoginPolicy().free_failures_per_account
    for round_ in range(2):
        for i in range(free - 1):
            assert login(api_server, account, f"typo-{round_}-{i}", address).status_code == 401
        assert login(api_server, account, PASSWORD, address).status_code == 200


def test_passwords_longer_than_bcrypt_reads_are_a_clear_4xx(api_server, admin, account):
    too_long = "é" * 37  # 37 characters, 74 bytes
    answer = login(api_server, account, too_long, client_address())
    assert answer.status_code == 422 and answer.json()["details"][0]["field"] == "password"
    created = admin.post("/api/admin/users", json={
        "email": f"long-{secrets.token_hex(4)}@throttle.example", "password": too_long,
        "role": "platform_admin"})
    assert created.status_code == 422, created.text
    assert "72 bytes" in created.text
