"""A small sentence transformer, run on the CPU by onnxruntime: meaning in context.

The static model (`matching.semantic.StaticEmbedder`) knows words; it cannot tell that a
"borrow checker" is Rust or that "useEffect" is React. This one reads the whole sentence:
MiniLM-L6 (all-MiniLM-L6-v2, 6 layers, 384 dimensions), shipped inside this package in
`models/minilm/`: int8 weights with one scale per row (23 MB), its tokenizer, and the encoder's
graph without weights (`encoder.onnx`, written by `matching.models.build_minilm`). The weights
are widened to float32 here and handed to onnxruntime, so vectors are those of the published
model (within 1e-4). No torch, no service, nothing downloaded: a need costs a few milliseconds.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from matching.semantic import ModelMissing, Vectors, native_call

MODEL_DIR = Path(__file__).parent / "models" / "minilm"
GRAPH = "encoder.onnx"
HEADS = 12
# Sentences per run, like lengths together: a larger batch reads no faster per token, and
# onnxruntime keeps the memory of the largest run it made.
_BATCH = 16
_MAX_TOKENS = 128  # a need longer than this is read by its beginning


def encoder_weights(root: Path = MODEL_DIR) -> dict[str, npt.NDArray[Any]]:
    """The encoder's weights as its graph takes them, by name: float32, each matrix laid out
    (in, out) for `x @ W`, and each layer's Q, K and V as one matrix, Q scaled by 1/√d_head
    (one product for the three, and no scaling of every score later). The word vectors stay
    int8 with their scales: a text looks up a few of 30,522 rows (35 MB saved)."""
    from safetensors.numpy import load_file

    raw = load_file(str(root / "model.safetensors"))

    def get(name: str) -> Vectors:
        value: Vectors = (
            raw[name].astype(np.float32)
            if name in raw
            else raw[name + ".int8"].astype(np.float32) * raw[name + ".scale"][:, None]
        )
        return value

    words = "embeddings.word_embeddings.weight"
    out: dict[str, npt.NDArray[Any]] = {
        "word.int8": raw[words + ".int8"],
        "word.scale": raw[words + ".scale"][:, None].astype(np.float32),
        "position": get("embeddings.position_embeddings.weight"),
        "type": get("embeddings.token_type_embeddings.weight")[0],
        "norm.g": get("embeddings.LayerNorm.weight"),
        "norm.b": get("embeddings.LayerNorm.bias"),
    }
    dim = out["word.int8"].shape[1]
    scale = np.float32(1.0 / math.sqrt(dim // HEADS))
    layers = sum(1 for k in raw if k.endswith("attention.self.query.bias"))
    for layer in range(layers):
        p, q = f"encoder.layer.{layer}.", f"{layer}."
        parts = [p + f"attention.self.{m}" for m in ("query", "key", "value")]
        mats = [get(m + ".weight") for m in parts]
        biases = [get(m + ".bias") for m in parts]
        mats[0], biases[0] = mats[0] * scale, biases[0] * scale
        out[q + "qkv.w"] = np.vstack(mats).T
        out[q + "qkv.b"] = np.concatenate(biases)
        for mine, theirs in (
            ("out", "attention.output.dense"),
            ("up", "intermediate.dense"),
            ("down", "output.dense"),
        ):
            out[q + mine + ".w"] = get(p + theirs + ".weight").T
            out[q + mine + ".b"] = get(p + theirs + ".bias")
        for mine, theirs in (
            ("norm1", "attention.output.LayerNorm"),
            ("norm2", "output.LayerNorm"),
        ):
            out[q + mine + ".g"] = get(p + theirs + ".weight")
            out[q + mine + ".b"] = get(p + theirs + ".bias")
    return {k: np.ascontiguousarray(v) for k, v in out.items()}


def _limit_blas_threads() -> None:
    """One BLAS thread: these products are small, and on a busy machine BLAS threads mostly
    wait for each other (a 20 ms embedding took seconds with eight of them on two cores)."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")


class TransformerEmbedder:
    """Mean-pooled MiniLM sentence vectors, normalised."""

    def __init__(self, root: Path = MODEL_DIR) -> None:
        # Imported here so that a matcher without meaning never pays for these imports.
        import onnxruntime as ort
        from tokenizers import Tokenizer

        tokenizer = root / "tokenizer.json"
        if not all(f.is_file() for f in (root / "model.safetensors", tokenizer, root / GRAPH)):
            raise ModelMissing(f"transformer model files not found under {root}")
        _limit_blas_threads()
        # Kept alive here: onnxruntime reads them in place rather than copying them.
        self._weights = encoder_weights(root)
        options = ort.SessionOptions()
        # One thread, never spinning: a need is a small product, and on a busy machine
        # threads mostly wait for each other (a 20 ms embedding took seconds with eight).
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3  # its warnings say nothing a member could act on
        names = list(self._weights)
        options.add_external_initializers(
            names, [ort.OrtValue.ortvalue_from_numpy(self._weights[n]) for n in names]
        )
        self._session: Any = ort.InferenceSession(
            str(root / GRAPH), options, providers=["CPUExecutionProvider"]
        )
        self._tokenizer = Tokenizer.from_file(str(tokenizer))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(_MAX_TOKENS)
        self._lock = threading.Lock()  # the tokenizer's settings are shared state

    @property
    def dim(self) -> int:
        """The length of each vector."""
        return int(self._weights["word.int8"].shape[1])

    def __reduce__(self) -> tuple[Callable[[], TransformerEmbedder], tuple[()]]:
        """Pickled by name: a matcher saved to a file reads with the loading process's model."""
        return shared_transformer, ()

    def embed(self, texts: Sequence[str]) -> Vectors:
        """One normalised row per text (a zero row for a text with nothing to embed)."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        todo = [i for i, t in enumerate(texts) if t.strip()]
        if not todo:
            return out
        with self._lock, native_call():
            encoded = self._tokenizer.encode_batch([texts[i] for i in todo])
        ids = [e.ids for e in encoded]
        # Like lengths together, so a batch pads little: a run costs by its tokens, padding
        # included.
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        for start in range(0, len(order), _BATCH):
            chunk = order[start : start + _BATCH]
            n = len(ids[chunk[-1]])
            tokens = np.zeros((len(chunk), n), dtype=np.int64)
            mask = np.zeros((len(chunk), n), dtype=np.float32)
            for row, i in enumerate(chunk):
                tokens[row, : len(ids[i])] = ids[i]
                mask[row, : len(ids[i])] = 1.0
            (states,) = _run(self._session, {"input_ids": tokens, "mask": mask})
            pooled = np.einsum("btd,bt->bd", states, mask)
            norms = np.linalg.norm(pooled, axis=1, keepdims=True)
            out[[todo[i] for i in chunk]] = pooled / np.maximum(norms, np.float32(1e-12))
        return out


def _run(session: Any, feeds: dict[str, npt.NDArray[Any]]) -> list[Vectors]:
    """One run of the session, unless the process is ending."""
    with native_call():
        out: list[Vectors] = session.run(None, feeds)
    return out


_lock = threading.Lock()
_shared: TransformerEmbedder | None = None


def shared_transformer() -> TransformerEmbedder:
    """The one read-only transformer of the process, loaded on first use (about 0.3 s)."""
    global _shared
    with _lock:
        if _shared is None:
            _shared = TransformerEmbedder()
        return _shared
