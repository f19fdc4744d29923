"""`clientsvia run` opens with the console: its URL and a demo user who can sign in."""

from __future__ import annotations

from runtime.cli import DEMO_USER, _seed, welcome_text
from runtime.settings import Settings
from tenancy.users import Role, UserStore
from tests.serve_fixtures import JWT_SECRET, SECRET_KEY


def settings_for(redis_url: str, tmp_path) -> Settings:
    return Settings(redis_url=redis_url, jwt_secret=JWT_SECRET, clientsvia_secret_key=SECRET_KEY,
                    parquet_root=str(tmp_path), embedding_model="hashed-words", bcrypt_rounds=4,
                    http_port=8123)


def test_the_welcome_starts_with_the_console_and_how_to_sign_in(redis_url, tmp_path):
    text = welcome_text(settings_for(redis_url, tmp_path), "a" * 24, "tok", "+12395550100",
                        "s3cret-pass")
    first = next(line for line in text.splitlines() if line.startswith("  "))
    assert first.split() == ["Console", "http://127.0.0.1:8123/console"]
    assert f"sign in as {DEMO_USER} / s3cret-pass" in text


async def test_seeding_makes_the_demo_console_user_once(redis_url, redis_async, tmp_path,
                                                        monkeypatch):
    monkeypatch.setenv("CONSOLE_DEMO_PASSWORD", "demo-console-pass")
    settings = settings_for(redis_url, tmp_path)
    company_id = await _seed(settings)
    assert await _seed(settings) == company_id  # a second run keeps the user as it is
    user = await UserStore(redis_async, bcrypt_rounds=4).authenticate(DEMO_USER,
                                                                      "demo-console-pass")
    assert user is not None and (user.role, user.companyId) == (Role.COMPANY_ADMIN, company_id)
