"""Every platform-admin route, taken from the app's route table, probed by everyone else.

A route joins this suite by carrying `require_platform_admin` or by living under
`/api/admin/` (and every such route must carry the guard). Each is requested by the
target company's own admin and viewer, another company's admin, and bad or missing
tokens, against a real user and a deactivated company, so a route that forgot its
guard would change them; after each refusal every user and company is compared byte
for byte with before. A control shows each write would have changed them for a
platform admin. Runs in process over a Redis database of its own
(tests/user_admin_app.py), so "everything stored" is this test's.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.routing import APIRoute

from runtime.serve.app import create_api
from runtime.serve.auth import require_platform_admin
from tenancy.users import Role
from tests.serve_fixtures import new_company_body
from tests.test_api_cross_tenant import api_routes, bad_token, carries
from tests.user_admin_app import InProcessApp, add_user

VICTIM = "owner@target.example"
READ_METHODS = {"GET", "HEAD"}
VOLATILE_PREFIXES = (b"g:rate:", b"g:login:")  # request counters, not data


def platform_routes() -> list[tuple[str, str]]:
    routes = [r for r in api_routes(create_api().routes) if isinstance(r, APIRoute) and (
        r.path.startswith("/api/admin/") or carries(r, require_platform_admin))]
    return sorted((m, r.path) for r in routes for m in r.methods)


PLATFORM_ROUTES = platform_routes()
WRITE_ROUTES = [(m, p) for m, p in PLATFORM_ROUTES if m not in READ_METHODS]


def test_every_admin_route_carries_the_platform_guard():
    assert {("GET", "/api/admin/users"), ("PATCH", "/api/admin/users/{email}"),
            ("POST", "/api/admin/users/{email}/password"),
            ("DELETE", "/api/admin/users/{email}"), ("POST", "/api/company"),
            ("GET", "/api/admin/companies")} <= set(PLATFORM_ROUTES)
    unguarded = [r.path for r in api_routes(create_api().routes)
                 if r.path.startswith("/api/admin/") and not carries(r, require_platform_admin)]
    assert not unguarded


def hostile_body(method: str, path: str) -> dict[str, Any] | None:
    """A valid body that would change users or companies if the guard let it through."""
    return {
        ("POST", "/api/company"): new_company_body("Planted Company"),
        ("POST", "/api/admin/users"): {"email": "planted@evil.example",
                                       "password": "planted-pass-01",
                                       "role": "platform_admin"},
        ("PATCH", "/api/admin/users/{email}"): {"role": "company_viewer"},
        ("POST", "/api/admin/users/{email}/password"): {"password": "planted-pass-01"},
    }.get((method, path))


@pytest.fixture
async def world(users_app: InProcessApp) -> dict[str, str]:
    """The target company (deactivated, so reactivating it is a change), its admin as
    the users' routes' target, and another company."""
    async with users_app.client(users_app.token(Role.PLATFORM_ADMIN)) as admin:
        target = (await admin.post("/api/company", json=new_company_body("Target"))).json()
        other = (await admin.post("/api/company", json=new_company_body("Other"))).json()
        await add_user(admin, "boss@platform.example", Role.PLATFORM_ADMIN)
        await add_user(admin, VICTIM, Role.COMPANY_ADMIN, target["_id"])
    await users_app.services.registry.deactivate(target["_id"])
    return {"target": target["_id"], "other": other["_id"]}


def concrete(path: str, world: dict[str, str]) -> str:
    return path.replace("{company_id}", world["target"]).replace("{email}", VICTIM)


async def stored(users_app: InProcessApp) -> dict[bytes, bytes | None]:
    redis = users_app.services.redis
    keys = [k async for k in redis.scan_iter(count=1000)]
    data = [k.encode() if isinstance(k, str) else k for k in keys]
    kept = sorted(k for k in data if not k.startswith(VOLATILE_PREFIXES))
    return {key: await redis.dump(key) for key in kept}


def token_for(users_app: InProcessApp, who: str, world: dict[str, str]) -> str | None:
    if who == "own-admin":
        return users_app.token(Role.COMPANY_ADMIN, world["target"], sub=VICTIM)
    if who == "own-viewer":
        return users_app.token(Role.COMPANY_VIEWER, world["target"])
    if who == "other-admin":
        return users_app.token(Role.COMPANY_ADMIN, world["other"])
    return bad_token(who, world["target"])


async def request(users_app: InProcessApp, token: str | None, method: str, path: str,
                  world: dict[str, str]):  # noqa: ANN201
    async with users_app.client(token) as client:
        return await client.request(method, concrete(path, world),
                                    json=hostile_body(method, path))


@pytest.mark.parametrize("who, status", [
    ("own-admin", 403), ("own-viewer", 403), ("other-admin", 403),
    ("anonymous", 401), ("expired", 401), ("wrong-secret", 401), ("alg-none", 401)])
@pytest.mark.parametrize("method, path", PLATFORM_ROUTES)
async def test_only_platform_admins_reach_platform_routes(users_app, world, method, path,
                                                         who, status):
    before = await stored(users_app)
    response = await request(users_app, token_for(users_app, who, world), method, path, world)
    assert response.status_code == status, response.text
    assert response.json()["error"] == ("FORBIDDEN" if status == 403 else "UNAUTHORIZED")
    assert await stored(users_app) == before, f"{method} {path} changed data"
    assert VICTIM not in response.text and "Target" not in response.text


@pytest.mark.parametrize("method, path", WRITE_ROUTES)
async def test_the_probes_would_change_data_if_let_through(users_app, world, method, path):
    before = await stored(users_app)
    response = await request(users_app, users_app.token(Role.PLATFORM_ADMIN), method, path,
                             world)
    assert response.is_success, response.text
    assert await stored(users_app) != before
    assert "passwordHash" not in response.text and "$2b$" not in response.text
