"""Vectors of fixed sentences, embedded once per node instead of once per process.

The shipped catalog, hazard, ordinary and intent sentences (~160) cost a call actor
~0.4-0.5 s of CPU to embed, and every actor of the node gets the same rows. So they go
through the `NodeCache`, keyed by the model id, the embedder's fingerprint (model files,
libraries, CPU) and the exact texts in order: another sentence list or model is another
key, never stale rows. The rows are a float32 `.npy` read with `allow_pickle=False`, and
checked for shape and type on top of the cache's digest; anything unusable is embedded
again (and the cache tells why, once).
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import structlog

from runtime.node_cache import NodeCache, cache_key
from runtime.providers.embedding import SentenceEmbedder

log = structlog.get_logger(__name__)

Matrix = npt.NDArray[np.float32]
VECTORS_KIND = "sentence-vectors"
FORMAT = "npy-float32-rows-v1"


def sentence_vectors(embedder: SentenceEmbedder, texts: Sequence[str],
                     cache: NodeCache | None) -> Matrix:
    """One unit vector per text, in order: the node cache's when this model (same
    fingerprint) embedded exactly these texts before, else embedded now (and stored)."""
    fingerprint = embedder.fingerprint
    if cache is None or fingerprint is None:
        return _embedded(embedder, texts)
    key = cache_key(FORMAT, embedder.model_id, fingerprint, *texts)
    stored = cache.read(VECTORS_KIND, key)
    if stored is not None:
        rows = _rows(stored, len(texts))
        if rows is not None:
            return rows
    rows = _embedded(embedder, texts)
    cache.write(VECTORS_KIND, key, _npy(rows))
    return rows


def _embedded(embedder: SentenceEmbedder, texts: Sequence[str]) -> Matrix:
    if not texts:
        return np.zeros((0, 1), dtype=np.float32)
    return np.vstack([embedder.embed(text).vector for text in texts])


def _npy(rows: Matrix) -> bytes:
    out = io.BytesIO()
    np.save(out, rows, allow_pickle=False)
    return out.getvalue()


def _rows(stored: bytes, count: int) -> Matrix | None:
    """The stored matrix if it is `count` float32 rows; None (warned) otherwise."""
    try:
        rows = np.load(io.BytesIO(stored), allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        log.warning("shared_vectors_unreadable", reason=str(exc))
        return None
    if rows.dtype != np.float32 or rows.ndim != 2 or rows.shape[0] != count:
        log.warning("shared_vectors_unreadable",
                    reason=f"{rows.dtype} {rows.shape}, expected {count} float32 rows")
        return None
    return rows
