"""The local development environment `make run` builds: secrets, Redis and Ray under ./var.

Development secrets are generated once and kept in `var/dev.env`, so tokens stay
valid across restarts. Values from the real environment always win.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from runtime.embedded_redis import EmbeddedRedis
from runtime.settings import Settings

VAR_DIR = Path("var")
DEV_ENV = VAR_DIR / "dev.env"
DEFAULT_DEV_REDIS_PORT = 6391


def dev_redis_port() -> int:
    """Port of the embedded Redis (`DEV_REDIS_PORT`, e.g. to run two checkouts side by side)."""
    return int(os.environ.get("DEV_REDIS_PORT", DEFAULT_DEV_REDIS_PORT))


def _read_env_file(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return {key.strip(): value.strip() for key, value in pairs}


def dev_secrets() -> dict[str, str]:
    """Generate (once) the secrets a local run needs and no developer should have to invent."""
    values = _read_env_file(DEV_ENV)
    wanted = {
        "JWT_SECRET": lambda: secrets.token_urlsafe(32),
        "CLIENTSVIA_SECRET_KEY": lambda: secrets.token_urlsafe(32),
        "TWILIO_AUTH_TOKEN": lambda: secrets.token_hex(16),
        # The demo company admin's console password (`clientsvia run` prints it).
        "CONSOLE_DEMO_PASSWORD": lambda: secrets.token_urlsafe(12),
    }
    missing = {name: make() for name, make in wanted.items() if name not in values}
    if missing:
        VAR_DIR.mkdir(exist_ok=True)
        values |= missing
        DEV_ENV.write_text("".join(f"{k}={v}\n" for k, v in values.items()))
        DEV_ENV.chmod(0o600)
    return values


def console_demo_password() -> str:
    """The demo console user's password: the environment's, else var/dev.env's."""
    return os.environ.get("CONSOLE_DEMO_PASSWORD") or dev_secrets()["CONSOLE_DEMO_PASSWORD"]


def dev_settings(**overrides: object) -> Settings:
    """Settings for local commands: environment first, then var/dev.env, then defaults."""
    values: dict[str, object] = {
        k.lower(): v for k, v in dev_secrets().items() if k not in os.environ
    }
    if "REDIS_URL" not in os.environ:
        values["redis_url"] = f"redis://127.0.0.1:{dev_redis_port()}/0"
    if "PARQUET_ROOT" not in os.environ:
        values["parquet_root"] = str((VAR_DIR / "parquet").resolve())
    return Settings(**(values | overrides))  # type: ignore[arg-type]


def dev_redis() -> EmbeddedRedis | None:
    """The bundled redis-server (not started yet) with AOF under var/redis, unless
    REDIS_URL points elsewhere."""
    if os.environ.get("REDIS_URL"):
        return None
    return EmbeddedRedis(data_dir=VAR_DIR / "redis", port=dev_redis_port())
