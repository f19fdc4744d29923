"""A bearer token from `POST /api/auth/login` dies with its user's access: once a platform
admin changes or removes the user, the token's next request is a 401 (as an expired one
is) and a fresh login carries the new rights. The operator's CLI tokens, which name no
stored user, stay valid until they expire."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from runtime import cli
from tenancy.users import user_key
from tests.serve_fixtures import secret_environment
from tests.user_admin_app import NEW_PASSWORD, OWNER, PASSWORD, InProcessApp, change_owner

REFUSED = {"error": "UNAUTHORIZED", "message": "invalid or expired token"}


async def login_token(users_app: InProcessApp, email: str, password: str = PASSWORD) -> str:
    async with users_app.client() as anonymous:
        answer = await anonymous.post("/api/auth/login",
                                      json={"email": email, "password": password})
    assert answer.status_code == 200, answer.text
    return str(answer.json()["token"])


async def rights(users_app: InProcessApp, token: str, company_id: str) -> tuple[int, int]:
    """(read, write) statuses of `token` on the company's profile; the write changes nothing."""
    async with users_app.client(token) as client:
        read = await client.get(f"/api/company/{company_id}")
        same_name = read.json().get("companyName", "x") if read.status_code == 200 else "x"
        write = await client.patch(f"/api/company/{company_id}", json={"companyName": same_name})
    return read.status_code, write.status_code


# What a fresh login can do afterwards: (read, write) on the old company, then the other.
AFTERWARDS = {"demotion": ((200, 403), (403, 403)), "company": ((403, 403), (200, 200)),
              "password": ((200, 200), (403, 403))}


@pytest.mark.parametrize("change", ["demotion", "company", "password", "removal"])
async def test_a_changed_users_token_is_refused_and_a_fresh_login_has_the_new_rights(
        users_app, people, change):
    company, other = people["company"], people["other"]
    token = await login_token(users_app, OWNER)
    bystander = await login_token(users_app, "desk@gulfair.example")
    assert await rights(users_app, token, company) == (200, 200)
    await change_owner(users_app, people, change)
    async with users_app.client(token) as client:
        for answer in (await client.get(f"/api/company/{company}"),
                       await client.patch(f"/api/company/{company}", json={"companyName": "x"}),
                       await client.get(f"/api/company/{other}")):
            assert answer.status_code == 401 and answer.json() == REFUSED, answer.text
    assert await rights(users_app, bystander, company) == (200, 403)  # other users unaffected
    if change == "removal":
        async with users_app.client() as anonymous:
            gone = await anonymous.post("/api/auth/login",
                                        json={"email": OWNER, "password": PASSWORD})
        assert gone.status_code == 401
        return
    fresh = await login_token(users_app, OWNER, NEW_PASSWORD if change == "password" else PASSWORD)
    old_company, other_company = AFTERWARDS[change]
    assert await rights(users_app, fresh, company) == old_company
    assert await rights(users_app, fresh, other) == other_company


async def test_a_token_from_before_stamps_existed_is_refused_after_a_change(users_app, people):
    """Users stored before `sessionStamp` have an empty one; their tokens are tied all the
    same (an empty claim is still a claim)."""
    redis = users_app.services.redis
    stored = json.loads(await redis.get(user_key(OWNER)))
    await redis.set(user_key(OWNER), json.dumps({**stored, "sessionStamp": ""}))
    token = await login_token(users_app, OWNER)
    assert claims_of(token)["stp"] == ""
    assert await rights(users_app, token, people["company"]) == (200, 200)
    await change_owner(users_app, people, "demotion")
    assert await rights(users_app, token, people["company"]) == (401, 401)


async def test_the_operators_cli_tokens_outlive_any_user_change(
        users_app, people, monkeypatch, tmp_path, capsys):
    """`clientsvia mint-token` signs with the server's secret for a subject that need not be
    a stored user: no stamp, so even naming a removed user it holds until it expires."""
    monkeypatch.chdir(tmp_path)  # the CLI keeps its dev secrets under ./var
    for name, value in secret_environment().items():
        monkeypatch.setenv(name, value)
    assert cli.main(["mint-token", "--role", "company_admin", "--company-id", people["company"],
                     "--sub", OWNER]) == 0
    token = capsys.readouterr().out.strip()
    assert "stp" not in claims_of(token)
    for change in ("demotion", "removal"):
        assert await rights(users_app, token, people["company"]) == (200, 200)
        await change_owner(users_app, people, change)
    assert await rights(users_app, token, people["company"]) == (200, 200)


def claims_of(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


def with_claims(token: str, claims: dict[str, Any]) -> str:
    """`token` with its payload replaced and its signature kept, as a tamperer would."""
    header, _, signature = token.split(".")
    compact = json.dumps(claims, separators=(",", ":")).encode()  # as PyJWT writes it
    payload = base64.urlsafe_b64encode(compact).rstrip(b"=").decode()
    return f"{header}.{payload}.{signature}"


@pytest.mark.parametrize("tamper", ["drop the stamp", "the user's new stamp"])
async def test_a_token_with_its_stamp_tampered_with_fails_its_signature(
        users_app, people, tamper):
    token = await login_token(users_app, OWNER)
    claims = claims_of(token)
    assert with_claims(token, claims) == token  # the re-encoding alone changes nothing
    await change_owner(users_app, people, "password")
    user = await users_app.services.users.get(OWNER)
    assert user is not None and user.sessionStamp != claims["stp"]
    if tamper == "drop the stamp":
        del claims["stp"]
    else:
        claims["stp"] = user.sessionStamp
    forged = with_claims(token, claims)
    assert await rights(users_app, forged, people["company"]) == (401, 401)
