"""The sentence-embedding protocol: text in, a unit-length vector out.

Knowledge entries, the shipped trade catalog and hazard examples are embedded once; a
caller's utterance once per turn. Cosine similarity of two embeddings is then a dot
product. The real model (`minilm_onnx.py`) and the offline double
(`embedding_doubles.py`) implement it; the dialogue policy never sees either, only the
similarity scores computed from them (`runtime/meaning/`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

Vector = npt.NDArray[np.float32]


class EmbedderUnavailable(RuntimeError):
    """The embedding model cannot be loaded; the message is the one-line reason."""


@dataclass(frozen=True)
class Embedding:
    vector: Vector  # unit length
    truncated: bool  # the text was longer than the model reads; only its start counts


class SentenceEmbedder(Protocol):
    @property
    def model_id(self) -> str:
        """Names the vector space: vectors of different models are never compared."""
        ...

    @property
    def max_tokens(self) -> int:
        """Longest input (in model tokens) that is read in full; the rest is cut off."""
        ...

    @property
    def fingerprint(self) -> str | None:
        """Names everything besides the text that its vectors depend on (model files,
        libraries, CPU): vectors stored by a process whose embedder had the same
        fingerprint are exactly this one's. None: nothing is shared (computing is cheap)."""
        ...

    def embed(self, text: str) -> Embedding: ...


SHORT_WORDS = 3  # "yes", "no thanks", "the first one": said on call after call
SHORT_CACHE_SIZE = 512  # ~0.8 MB of 384-float vectors


class ShortUtteranceCache:
    """An embedder that remembers the vectors of short texts (at most `SHORT_WORDS` words).

    Callers answer "yes", "no", "okay" on every call; embedding one still costs ~1 ms of
    model CPU. Longer texts are nearly always new and go straight to the model. A cached
    vector is the model's own (read-only: shared by every caller of this process), so no
    score changes.
    """

    def __init__(self, embedder: SentenceEmbedder, size: int = SHORT_CACHE_SIZE) -> None:
        self._embedder = embedder
        self._short = functools.lru_cache(maxsize=size)(self._frozen)

    @property
    def model_id(self) -> str:
        return self._embedder.model_id

    @property
    def max_tokens(self) -> int:
        return self._embedder.max_tokens

    @property
    def fingerprint(self) -> str | None:
        return self._embedder.fingerprint

    def embed(self, text: str) -> Embedding:
        if len(text.split()) > SHORT_WORDS:
            return self._embedder.embed(text)
        return self._short(text)

    def _frozen(self, text: str) -> Embedding:
        embedding = self._embedder.embed(text)
        embedding.vector.flags.writeable = False
        return embedding
