"""The real model through the node cache: a process that reads the rewritten graph and the
catalog's vectors from it gets bit-for-bit the vectors it would have computed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from structlog.testing import capture_logs

from runtime.meaning.scorer import CatalogVectors
from runtime.node_cache import NodeCache
from runtime.providers import minilm_onnx
from runtime.providers.embedding import ShortUtteranceCache
from runtime.providers.minilm_onnx import GRAPH_KIND, OnnxMiniLmEmbedder
from tenancy.catalog.hazard_examples import HAZARD_EXAMPLES, ORDINARY_EXAMPLES
from tenancy.catalog.intent_examples import EXAMPLES_BY_LABEL

TEXTS = ["I smell gas near the water heater", "do you service Trane units", "yes"]


def _no_rewrite(*_: object) -> bytes:
    raise AssertionError("the graph was rewritten instead of read from the node cache")


def _catalog(embedder: OnnxMiniLmEmbedder, cache: NodeCache | None) -> CatalogVectors:
    return CatalogVectors.build(ShortUtteranceCache(embedder), HAZARD_EXAMPLES,
                                ORDINARY_EXAMPLES, EXAMPLES_BY_LABEL, cache)


def test_a_process_reading_the_cache_computes_exactly_the_same_vectors(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    uncached = OnnxMiniLmEmbedder()
    writer = OnnxMiniLmEmbedder(cache=NodeCache(tmp_path))
    written = _catalog(writer, NodeCache(tmp_path))
    monkeypatch.setattr(minilm_onnx, "_integer_graph", _no_rewrite)
    monkeypatch.setattr(OnnxMiniLmEmbedder, "embed", _no_rewrite)  # catalog rows read too

    reader = OnnxMiniLmEmbedder(cache=NodeCache(tmp_path))
    read = _catalog(reader, NodeCache(tmp_path))
    monkeypatch.undo()

    assert reader.fingerprint == writer.fingerprint == uncached.fingerprint
    for text in TEXTS:
        assert np.array_equal(reader.embed(text).vector, uncached.embed(text).vector)
    fresh = _catalog(uncached, None)
    for name in ("entries", "hazards", "ordinary", "intents"):
        assert np.array_equal(getattr(read, name), getattr(fresh, name)), name
        assert np.array_equal(getattr(written, name), getattr(fresh, name)), name


def test_a_damaged_graph_is_rewritten_from_the_verified_model(tmp_path: Path) -> None:
    OnnxMiniLmEmbedder(cache=NodeCache(tmp_path))
    (graph,) = tmp_path.glob(f"{GRAPH_KIND}-*")
    graph.write_bytes(graph.read_bytes()[: 1 << 20])  # cut short, as by a full disk

    with capture_logs() as logs:
        embedder = OnnxMiniLmEmbedder(cache=NodeCache(tmp_path))

    assert [entry["event"] for entry in logs] == ["node_cache_corrupt"]
    assert np.array_equal(embedder.embed(TEXTS[0]).vector,
                          OnnxMiniLmEmbedder().embed(TEXTS[0]).vector)
    assert NodeCache(tmp_path).read(GRAPH_KIND, graph.name.removeprefix(f"{GRAPH_KIND}-"))


def test_another_rewrite_or_library_version_is_another_graph_and_fingerprint(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cached = OnnxMiniLmEmbedder(cache=NodeCache(tmp_path))
    changed = tmp_path / "minilm_graph.py"
    changed.write_bytes(minilm_onnx.REWRITE_PATH.read_bytes() + b"\n# BLOCK = 64\n")
    monkeypatch.setattr(minilm_onnx, "REWRITE_PATH", changed)
    rewritten = OnnxMiniLmEmbedder(cache=NodeCache(tmp_path))
    monkeypatch.undo()
    monkeypatch.setattr(minilm_onnx, "version", lambda package: f"{package}-0.0.1")
    upgraded = OnnxMiniLmEmbedder(cache=NodeCache(tmp_path))

    assert len({cached.fingerprint, rewritten.fingerprint, upgraded.fingerprint}) == 3
    assert len(list(tmp_path.glob(f"{GRAPH_KIND}-*"))) == 3  # each made its own graph
