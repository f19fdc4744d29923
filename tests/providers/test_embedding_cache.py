"""`ShortUtteranceCache`: short caller answers are embedded once per process, and the
vectors are exactly the model's."""

from __future__ import annotations

import numpy as np
import pytest

from runtime.providers.embedding import SHORT_WORDS, Embedding, ShortUtteranceCache
from runtime.providers.embedding_doubles import HashedWordsEmbedder
from runtime.providers.factory import ProviderConfig, build_embedder
from runtime.providers.minilm_onnx import OnnxMiniLmEmbedder


class CountingEmbedder(HashedWordsEmbedder):
    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []

    def embed(self, text: str) -> Embedding:
        self.texts.append(text)
        return super().embed(text)


def test_a_short_answer_is_embedded_once_and_its_vector_is_the_models() -> None:
    model = CountingEmbedder()
    cached = ShortUtteranceCache(model)

    first, again = cached.embed("yes please"), cached.embed("yes please")

    assert model.texts == ["yes please"]
    assert again is first and np.array_equal(first.vector, model.embed("yes please").vector)
    with pytest.raises(ValueError):  # shared by every call of the process: never changed
        first.vector[0] = 2.0
    assert (cached.model_id, cached.max_tokens) == (model.model_id, model.max_tokens)


def test_longer_texts_always_go_to_the_model() -> None:
    model = CountingEmbedder()
    cached = ShortUtteranceCache(model)
    question = " ".join(["word"] * (SHORT_WORDS + 1))

    cached.embed(question)
    cached.embed(question)

    assert model.texts == [question, question]


def test_the_least_recently_used_short_text_is_forgotten_first() -> None:
    model = CountingEmbedder()
    cached = ShortUtteranceCache(model, size=2)
    for text in ("yes", "no", "yes", "okay", "yes", "no"):
        cached.embed(text)
    assert model.texts == ["yes", "no", "okay", "no"]


def test_the_real_model_is_built_behind_the_cache_with_identical_vectors() -> None:
    built = build_embedder(ProviderConfig(mode="doubles", embedder="minilm"))
    assert isinstance(built, ShortUtteranceCache)
    model = OnnxMiniLmEmbedder()
    for text in ("yes", "the first one", "can someone come out tomorrow morning"):
        assert np.array_equal(built.embed(text).vector, model.embed(text).vector)
