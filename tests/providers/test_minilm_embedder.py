"""The shipped embedding model: verified at load, one-line reasons when it cannot load."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from runtime.providers.embedding import EmbedderUnavailable
from runtime.providers.minilm_onnx import MAX_TOKENS, OnnxMiniLmEmbedder


@pytest.fixture(scope="module")
def embedder() -> OnnxMiniLmEmbedder:
    return OnnxMiniLmEmbedder()


def test_vectors_are_unit_length_and_close_for_paraphrases(embedder: OnnxMiniLmEmbedder) -> None:
    trane = embedder.embed("Do you service Trane units?").vector
    paraphrase = embedder.embed("do you guys work on trane systems").vector
    unrelated = embedder.embed("what is the capital of france").vector
    assert trane.shape == (384,) and abs(float(np.linalg.norm(trane)) - 1.0) < 1e-5
    assert float(trane @ paraphrase) > 0.5 > float(trane @ unrelated) + 0.3


def test_the_same_text_gives_the_same_vector(embedder: OnnxMiniLmEmbedder) -> None:
    first = embedder.embed("how much is a service call").vector
    assert np.array_equal(first, embedder.embed("how much is a service call").vector)


def test_text_longer_than_the_model_reads_is_cut_and_flagged(embedder: OnnxMiniLmEmbedder
                                                            ) -> None:
    short = embedder.embed("water heater")
    long = embedder.embed("water heater " * MAX_TOKENS)
    assert not short.truncated and long.truncated


def test_a_model_file_with_another_hash_is_refused_in_one_line(tmp_path: Path) -> None:
    tampered = tmp_path / "model.onnx"
    tampered.write_bytes(b"not the model")
    with pytest.raises(EmbedderUnavailable) as caught:
        OnnxMiniLmEmbedder(model_path=tampered)
    assert "sha256" in str(caught.value) and "\n" not in str(caught.value)


def test_a_missing_model_file_is_refused_in_one_line(tmp_path: Path) -> None:
    with pytest.raises(EmbedderUnavailable, match="not found") as caught:
        OnnxMiniLmEmbedder(model_path=tmp_path / "absent.onnx")
    assert "\n" not in str(caught.value)
