"""The sentence-embedding protocol: text in, a unit-length vector out.

Knowledge entries, the shipped trade catalog and hazard examples are embedded once; a
caller's utterance once per turn. Cosine similarity of two embeddings is then a dot
product. The real model (`minilm_onnx.py`) and the offline double
(`embedding_doubles.py`) implement it; the dialogue policy never sees either, only the
similarity scores computed from them (`runtime/meaning/`).
"""

from __future__ import annotations

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

    def embed(self, text: str) -> Embedding: ...
