"""The catalog's vectors are embedded once per node: the next process reads exactly the
same rows, and anything that could make them differ (another sentence, another model, a
damaged file) is a miss that embeds again."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from structlog.testing import capture_logs

from runtime.meaning.scorer import CatalogVectors
from runtime.meaning.shared_vectors import FORMAT, VECTORS_KIND, _npy, sentence_vectors
from runtime.node_cache import NodeCache, cache_key
from runtime.providers.embedding import Embedding
from runtime.providers.embedding_doubles import HashedWordsEmbedder
from tenancy.catalog.hazard_examples import HAZARD_EXAMPLES, ORDINARY_EXAMPLES
from tenancy.catalog.intent_examples import EXAMPLES_BY_LABEL

TEXTS = ["there is a gas smell in the kitchen", "my furnace is making a noise", "yes"]


class SharingEmbedder(HashedWordsEmbedder):
    """The hashed-words double with a fingerprint (so its vectors are shared), counting."""

    def __init__(self, model: str = "hashed", fingerprint: str = "build-1") -> None:
        super().__init__()
        self._model, self._fingerprint = model, fingerprint
        self.texts: list[str] = []

    @property
    def model_id(self) -> str:
        return self._model

    @property
    def fingerprint(self) -> str | None:
        return self._fingerprint

    def embed(self, text: str) -> Embedding:
        self.texts.append(text)
        return super().embed(text)


def _catalog(embedder: SharingEmbedder, cache: NodeCache | None) -> CatalogVectors:
    return CatalogVectors.build(embedder, HAZARD_EXAMPLES, ORDINARY_EXAMPLES,
                                EXAMPLES_BY_LABEL, cache)


UNPICKLED: list[str] = []


def _record_unpickling() -> str:
    UNPICKLED.append("unpickled")
    return "row"


class _Tripwire:
    """Unpickling it calls `_record_unpickling`: it would run any other function alike."""

    def __reduce__(self) -> tuple[object, tuple[()]]:
        return _record_unpickling, ()


def _pickled_objects() -> bytes:
    """An `.npy` of Python objects: loading it would unpickle them."""
    out = io.BytesIO()
    np.save(out, np.array([_Tripwire(), _Tripwire(), None], dtype=object), allow_pickle=True)
    return out.getvalue()


def _warnings(logs: list[dict[str, object]]) -> list[object]:
    return [entry["event"] for entry in logs if entry["log_level"] == "warning"]


def test_a_second_process_reads_the_catalog_and_embeds_nothing(tmp_path: Path) -> None:
    first, second = SharingEmbedder(), SharingEmbedder()
    written = _catalog(first, NodeCache(tmp_path))
    read = _catalog(second, NodeCache(tmp_path))
    uncached = _catalog(SharingEmbedder(), None)

    assert len(first.texts) > 100 and second.texts == []
    for built in (read, uncached):
        assert built.entry_ids == written.entry_ids
        assert built.hazard_labels == written.hazard_labels
        assert built.intent_labels == written.intent_labels
        for name in ("entries", "hazards", "ordinary", "intents"):
            assert np.array_equal(getattr(built, name), getattr(written, name)), name


@pytest.mark.parametrize("other", [
    {"texts": [*TEXTS[:2], "yes please"]},
    {"texts": list(reversed(TEXTS))},
    {"texts": TEXTS[:2]},
    {"model": "hashed-v2"},
    {"fingerprint": "build-2"},
])
def test_another_sentence_list_or_model_is_a_miss(tmp_path: Path, other: dict[str, object]
                                                  ) -> None:
    cache = NodeCache(tmp_path)
    sentence_vectors(SharingEmbedder(), TEXTS, cache)
    texts = other.get("texts", TEXTS)
    assert isinstance(texts, list)
    embedder = SharingEmbedder(str(other.get("model", "hashed")),
                               str(other.get("fingerprint", "build-1")))

    rows = sentence_vectors(embedder, texts, cache)

    assert embedder.texts == texts
    assert np.array_equal(rows, sentence_vectors(SharingEmbedder(), texts, None))


def test_an_embedder_without_fingerprint_shares_nothing(tmp_path: Path) -> None:
    sentence_vectors(HashedWordsEmbedder(), TEXTS, NodeCache(tmp_path))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("damage", ["flipped byte", "truncated"])
def test_a_damaged_file_is_embedded_again_and_rewritten(tmp_path: Path, damage: str) -> None:
    expected = sentence_vectors(SharingEmbedder(), TEXTS, NodeCache(tmp_path))
    (path,) = tmp_path.iterdir()
    stored = path.read_bytes()
    path.write_bytes(stored[:-3] + bytes([stored[-3] ^ 0x40]) + stored[-2:]
                     if damage == "flipped byte" else stored[:200])
    embedder = SharingEmbedder()

    with capture_logs() as logs:
        rows = sentence_vectors(embedder, TEXTS, NodeCache(tmp_path))

    assert _warnings(logs) == ["node_cache_corrupt"]
    assert embedder.texts == TEXTS and np.array_equal(rows, expected)
    again = SharingEmbedder()
    assert np.array_equal(sentence_vectors(again, TEXTS, NodeCache(tmp_path)), expected)
    assert again.texts == []  # the rewritten file is whole


@pytest.mark.parametrize("content", [
    _npy(np.zeros((2, 256), dtype=np.float32)),  # rows for another list
    _npy(np.zeros((3, 256), dtype=np.float64)),
    _npy(np.zeros(3, dtype=np.float32)),
    b"not an npy file",
    _pickled_objects(),
])
def test_stored_rows_of_the_wrong_shape_or_kind_are_never_used(tmp_path: Path,
                                                               content: bytes) -> None:
    embedder = SharingEmbedder()
    key = cache_key(FORMAT, embedder.model_id, "build-1", *TEXTS)
    NodeCache(tmp_path).write(VECTORS_KIND, key, content)  # a valid digest, wrong rows

    with capture_logs() as logs:
        rows = sentence_vectors(embedder, TEXTS, NodeCache(tmp_path))

    assert _warnings(logs) == ["shared_vectors_unreadable"] and UNPICKLED == []
    assert embedder.texts == TEXTS
    assert np.array_equal(rows, sentence_vectors(SharingEmbedder(), TEXTS, None))
