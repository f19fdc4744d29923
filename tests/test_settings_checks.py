"""Configuration that would weaken security stops start-up with a one-line reason."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from runtime.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def test_a_jwt_secret_under_32_bytes_is_refused():
    with pytest.raises(ValidationError, match="at least 32 bytes"):
        Settings(jwt_secret="x" * 31, clientsvia_secret_key="k" * 32)
    assert Settings(jwt_secret="x" * 32, clientsvia_secret_key="k" * 32).jwt_secret


def test_the_cli_names_the_bad_setting_in_one_line(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "JWT_SECRET": "too-short-secret-1234"}
    done = subprocess.run([sys.executable, "-m", "runtime.cli", "mint-token"], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines() == [
        "clientsvia: invalid configuration: JWT_SECRET: Value error, JWT_SECRET must be at "
        "least 32 bytes; generate one with: openssl rand -base64 48"]
