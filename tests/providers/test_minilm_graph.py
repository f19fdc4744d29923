"""The shipped MiniLM graph on integer kernels: same weights, nearly the same vectors."""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import helper, numpy_helper

from runtime.providers.minilm_graph import UnexpectedGraph, with_integer_kernels
from runtime.providers.minilm_onnx import OnnxMiniLmEmbedder, installed_model_path

SENTENCES = ("do you guys work on trane systems", "my basement is flooding",
             "how much is a service call", "i smell gas in the kitchen",
             "can somebody come out today to look at my water heater")


def _float_graph_vector(session: ort.InferenceSession, embedder: OnnxMiniLmEmbedder,
                        text: str) -> np.ndarray:
    ids = np.array([embedder._tokenizer.encode(text).ids], dtype=np.int64)
    feeds = {"input_ids": ids, "attention_mask": np.ones_like(ids),
             "token_type_ids": np.zeros_like(ids)}
    pooled = session.run(None, feeds)[0][0].mean(axis=0)
    return pooled / np.linalg.norm(pooled)


def test_vectors_stay_within_cosine_0_995_of_the_float_graph() -> None:
    embedder = OnnxMiniLmEmbedder()
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    shipped = ort.InferenceSession(str(installed_model_path()), options,
                                   providers=["CPUExecutionProvider"])
    for text in SENTENCES:
        cosine = float(embedder.embed(text).vector @ _float_graph_vector(shipped, embedder, text))
        assert cosine > 0.995, text


def test_every_weight_product_runs_on_the_int8_weights() -> None:
    rewritten = with_integer_kernels(onnx.load(str(installed_model_path())))
    ops = [node.op_type for node in rewritten.graph.node]
    initializers = {init.name: init for init in rewritten.graph.initializer}
    assert ops.count("MatMulNBits") == 36  # 6 layers: Q, K, V, output, 2 feed-forward
    assert ops.count("MatMul") == 12  # attention's two products per layer, no weights
    float_tables = [name for name, init in initializers.items()
                    if init.data_type == onnx.TensorProto.FLOAT
                    and np.prod(init.dims) >= 384 * 384]
    assert float_tables == []  # no float copy of any weight matrix or the token table


def _dequantized(user: onnx.NodeProto) -> onnx.ModelProto:
    weights = numpy_helper.from_array(np.ones((4, 4), dtype=np.int8), "w_q")
    scale = numpy_helper.from_array(np.ones((1, 4), dtype=np.float32), "w_scale")
    nodes = [helper.make_node("Cast", ["w_q"], ["w_f"], to=onnx.TensorProto.FLOAT),
             helper.make_node("Mul", ["w_f", "w_scale"], ["w"]), user]
    graph = helper.make_graph(
        nodes, "g", [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [1, 4])],
        [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [1, 4])], [weights, scale])
    return helper.make_model(graph)


def test_a_graph_of_another_shape_is_refused_rather_than_guessed() -> None:
    with pytest.raises(UnexpectedGraph, match="feeds a Add"):
        with_integer_kernels(_dequantized(helper.make_node("Add", ["x", "w"], ["y"])))
    with pytest.raises(UnexpectedGraph, match="not a multiple"):
        with_integer_kernels(_dequantized(helper.make_node("MatMul", ["x", "w"], ["y"])))
