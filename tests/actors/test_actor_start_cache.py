"""A call actor's start goes through the node cache: the first one of a node writes the
model's rewritten graph and the catalog's vectors, the next one reads both (it neither
rewrites the graph nor embeds a single catalog sentence). The class is built in process,
without Ray: what is checked is its constructor."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from runtime.actors.call_actor import CallActor
from runtime.meaning import scorer
from runtime.providers import minilm_onnx
from runtime.settings import Settings
from tests.serve_fixtures import JWT_SECRET, SECRET_KEY


@pytest.fixture
def start_actor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Builds an actor as a fresh process would (no catalog built in this process yet)."""
    monkeypatch.setenv("JWT_SECRET", JWT_SECRET)
    monkeypatch.setenv("CLIENTSVIA_SECRET_KEY", SECRET_KEY)
    settings = Settings.model_validate({
        "jwt_secret": JWT_SECRET, "clientsvia_secret_key": SECRET_KEY,
        "provider_mode": "doubles", "redis_url": "redis://127.0.0.1:1/0",  # never reached
        "node_cache_dir": str(tmp_path / "node-cache"),
    }).for_deployment()

    def start() -> Any:
        monkeypatch.setattr(scorer, "_CATALOGS", {})
        return CallActor.__ray_actor_class__(settings)  # type: ignore[attr-defined]

    yield start
    gc.unfreeze()  # the actor froze this test process's heap as it would its own


def _fails(*_: object) -> object:
    raise AssertionError("computed at start although the node cache holds it")


def test_the_second_actor_of_a_node_reads_the_graph_and_catalog_vectors(
        start_actor: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    start_actor()
    written = sorted(path.name.rsplit("-", 1)[0] for path in (tmp_path / "node-cache").iterdir())
    assert written == ["minilm-graph", "sentence-vectors"]

    monkeypatch.setattr(minilm_onnx, "_integer_graph", _fails)
    monkeypatch.setattr(minilm_onnx.OnnxMiniLmEmbedder, "embed", _fails)
    start_actor()
