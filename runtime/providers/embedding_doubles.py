"""An offline, deterministic stand-in for the sentence-embedding model, for unit tests.

Feature hashing of the normalised words: texts sharing words get similar vectors, texts
sharing none are orthogonal. No model file, instant, identical on every machine, so tests
of the plumbing (storage, staleness, scoring, margins) do not depend on the real model's
judgement, which the scenario evals measure instead.
"""

from __future__ import annotations

import hashlib

import numpy as np

from runtime.conversation.text import normalize
from runtime.providers.embedding import Embedding, Vector

DIMENSION = 256


class HashedWordsEmbedder:
    def __init__(self, max_tokens: int = 64) -> None:
        self._max_tokens = max_tokens

    @property
    def model_id(self) -> str:
        return f"hashed-words-{DIMENSION}"

    @property
    def max_tokens(self) -> int:
        return self._max_tokens

    @property
    def fingerprint(self) -> str | None:
        return None  # instant: nothing to share between processes

    def embed(self, text: str) -> Embedding:
        words = normalize(text).split()
        kept = words[: self._max_tokens]
        vector: Vector = np.zeros(DIMENSION, dtype=np.float32)
        for word in kept:
            digest = hashlib.blake2b(word.encode(), digest_size=4).digest()
            slot = int.from_bytes(digest[:3], "big") % DIMENSION
            vector[slot] += 1.0 if digest[3] & 1 else -1.0
        norm = float(np.linalg.norm(vector))
        if norm > 0:
            vector /= norm
        return Embedding(vector, truncated=len(words) > len(kept))
