"""The shipped int8 MiniLM graph rewritten so onnxruntime computes with the int8 weights.

The model file stores every weight as int8 plus a float scale per output column, and
turns it back into float inside the graph (`Cast` then `Mul`). onnxruntime folds those
constants at load, so it ran float matrix products over ~90 MB of float weights: ~5 ms
per utterance, mostly spent streaming weights from memory, and +166 MB per process.

`with_integer_kernels` rewires, without changing a single weight or scale:

- `MatMul(x, Mul(Cast(w_int8), scale))` → onnxruntime's contrib op `MatMulNBits` with
  8-bit weights (the same int8 values offset by its zero point 128, the column's scale
  repeated for each block of `BLOCK` rows) at `accuracy_level` 4: the activations are
  quantized to int8 per block of `BLOCK` values, the product runs on integer kernels.
  Per-block activation scales keep the vectors within cosine 0.994 (mean 0.999) of the
  float graph's over the evals' and load test's 328 utterances (a per-tensor activation
  scale, `DynamicQuantizeMatMul`, was ~25 % faster but only within 0.96); blocks of 128
  took ~14 % less CPU than blocks of 32 for the same eval results;
- `Gather(Mul(Cast(table_int8), row_scale), ids)` → `Mul(Cast(Gather(table_int8, ids)),
  Gather(row_scale, ids))`: the token embedding table stays int8 in memory.

The only numerical difference is the activations' 8-bit quantization inside each product;
`tests/providers/test_minilm_graph.py` bounds its effect on the vectors.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import onnx
from onnx import helper, numpy_helper

CONTRIB_DOMAIN = "com.microsoft"
BLOCK = 128  # weight rows per quantization block (each block has its own scale)
ZERO_POINT = 128  # MatMulNBits' default zero point for 8-bit weights
INT8_ACTIVATIONS = 4  # MatMulNBits accuracy_level: int8 activations, integer products


class UnexpectedGraph(ValueError):
    """The model does not have the dequantize-then-multiply shape this rewrite expects."""


def with_integer_kernels(model: onnx.ModelProto) -> onnx.ModelProto:
    """A copy of `model` whose int8 weights are used by integer kernels (see module doc)."""
    model = onnx.ModelProto.FromString(model.SerializeToString())
    graph = model.graph
    initializers = {init.name: init for init in graph.initializer}
    consumers: dict[str, list[onnx.NodeProto]] = defaultdict(list)
    for node in graph.node:
        for name in node.input:
            consumers[name].append(node)
    dropped: set[int] = set()
    replacements: dict[int, list[onnx.NodeProto]] = {}
    for cast in graph.node:
        if cast.op_type != "Cast" or cast.input[0] not in initializers:
            continue
        (mul,) = _only(consumers[cast.output[0]], "Mul", cast.output[0])
        scale = next(name for name in mul.input if name != cast.output[0])
        if scale not in initializers:
            raise UnexpectedGraph(f"scale {scale} of {cast.input[0]} is not a constant")
        for user in consumers[mul.output[0]]:
            if user.op_type == "MatMul" and user.input[1] == mul.output[0]:
                replacements[id(user)] = [_integer_matmul(user, cast.input[0], scale,
                                                           initializers)]
            elif user.op_type == "Gather" and user.input[0] == mul.output[0]:
                replacements[id(user)] = _int8_gather(user, cast.input[0], scale)
            else:
                raise UnexpectedGraph(f"{mul.output[0]} feeds a {user.op_type}")
        dropped.update((id(cast), id(mul)))
    nodes = [new for node in graph.node if id(node) not in dropped
             for new in replacements.get(id(node), [node])]
    del graph.node[:]
    graph.node.extend(nodes)
    if not any(opset.domain == CONTRIB_DOMAIN for opset in model.opset_import):
        model.opset_import.append(helper.make_opsetid(CONTRIB_DOMAIN, 1))
    return model


def _only(nodes: list[onnx.NodeProto], op_type: str, what: str) -> list[onnx.NodeProto]:
    if len(nodes) != 1 or nodes[0].op_type != op_type:
        raise UnexpectedGraph(f"{what} should feed exactly one {op_type}")
    return nodes


def _integer_matmul(matmul: onnx.NodeProto, weight: str, scale: str,
                    initializers: dict[str, onnx.TensorProto]) -> onnx.NodeProto:
    """The product as `MatMulNBits` over the same int8 weights and column scales."""
    weights = numpy_helper.to_array(initializers[weight]).astype(np.int16)  # (K, N)
    rows, columns = weights.shape
    if rows % BLOCK:
        raise UnexpectedGraph(f"{weight} has {rows} rows, not a multiple of {BLOCK}")
    blocks = rows // BLOCK
    packed = (weights + ZERO_POINT).astype(np.uint8).T.reshape(columns, blocks, BLOCK)
    column_scales = numpy_helper.to_array(initializers[scale]).reshape(-1)
    if column_scales.shape != (columns,):
        raise UnexpectedGraph(f"{scale} is not one scale per column of {weight}")
    block_scales = np.repeat(column_scales.astype(np.float32), blocks)
    names = (f"{weight}_blocks", f"{scale}_blocks")
    initializers[weight].CopyFrom(numpy_helper.from_array(packed, names[0]))
    initializers[scale].CopyFrom(numpy_helper.from_array(block_scales, names[1]))
    return helper.make_node(
        "MatMulNBits", [matmul.input[0], *names], list(matmul.output),
        name=f"{matmul.name}_int8", domain=CONTRIB_DOMAIN, K=rows, N=columns, bits=8,
        block_size=BLOCK, accuracy_level=INT8_ACTIVATIONS)


def _int8_gather(gather: onnx.NodeProto, table: str, row_scale: str) -> list[onnx.NodeProto]:
    """Look the rows up in the int8 table and their scales alongside, then dequantize."""
    ids, out = gather.input[1], gather.output[0]
    axis = [attribute for attribute in gather.attribute if attribute.name == "axis"]
    if axis and axis[0].i != 0:
        raise UnexpectedGraph(f"{gather.name} gathers along axis {axis[0].i}")
    return [
        helper.make_node("Gather", [table, ids], [f"{out}_q"], name=f"{gather.name}_q"),
        helper.make_node("Gather", [row_scale, ids], [f"{out}_scale"],
                         name=f"{gather.name}_scale"),
        helper.make_node("Cast", [f"{out}_q"], [f"{out}_f"], name=f"{gather.name}_cast",
                         to=onnx.TensorProto.FLOAT),
        helper.make_node("Mul", [f"{out}_f", f"{out}_scale"], [out], name=f"{gather.name}_mul"),
    ]
