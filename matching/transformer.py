"""A small sentence transformer, run with numpy alone on the CPU: meaning in context.

The static model (`matching.semantic.StaticEmbedder`) knows words; it cannot tell that a
"borrow checker" is Rust or that "useEffect" is React. This one reads the whole sentence:
MiniLM-L6 (all-MiniLM-L6-v2, 6 layers, 384 dimensions), shipped inside this package in
`models/minilm/` (int8 weights with one scale per row, 23 MB, and its tokenizer). No torch,
no service, nothing downloaded: a need of twenty words costs a few milliseconds.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from matching.semantic import ModelMissing, Vectors

MODEL_DIR = Path(__file__).parent / "models" / "minilm"
_HEADS = 12
_BATCH = 32  # sentences per forward pass: like lengths together, little padding
_MAX_TOKENS = 128  # a need longer than this is read by its beginning


def _limit_blas_threads() -> None:
    """One BLAS thread: these products are small, and on a busy machine BLAS threads mostly
    wait for each other (a 20 ms embedding took seconds with eight of them on two cores)."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")


class TransformerEmbedder:
    """Mean-pooled MiniLM sentence vectors, normalised."""

    def __init__(self, root: Path = MODEL_DIR) -> None:
        # Imported here so that a matcher without meaning never pays for these imports.
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        weights, tokenizer = root / "model.safetensors", root / "tokenizer.json"
        if not weights.is_file() or not tokenizer.is_file():
            raise ModelMissing(f"transformer model files not found under {root}")
        _limit_blas_threads()
        raw = load_file(str(weights))
        self._w: dict[str, Vectors] = {}
        for key, value in raw.items():
            if key.endswith(".scale"):
                continue
            if key.endswith(".int8"):
                key = key.removesuffix(".int8")
                value = value.astype(np.float32) * raw[key + ".scale"][:, None]
            if key.startswith("encoder.") and key.endswith(".weight") and value.ndim == 2:
                value = value.T  # stored as (out, in): x @ W reads rows, not columns
            self._w[key] = np.ascontiguousarray(value, dtype=np.float32)
        self._layers = sum(1 for k in self._w if k.endswith("attention.self.query.weight"))
        self._tokenizer = Tokenizer.from_file(str(tokenizer))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(_MAX_TOKENS)
        self._lock = threading.Lock()  # the tokenizer's settings are shared state

    @property
    def dim(self) -> int:
        """The length of each vector."""
        return int(self._w["embeddings.word_embeddings.weight"].shape[1])

    def __reduce__(self) -> tuple[Callable[[], TransformerEmbedder], tuple[()]]:
        """Pickled by name: a matcher saved to a file reads with the loading process's model."""
        return shared_transformer, ()

    def embed(self, texts: Sequence[str]) -> Vectors:
        """One normalised row per text (a zero row for a text with nothing to embed)."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        todo = [i for i, t in enumerate(texts) if t.strip()]
        if not todo:
            return out
        with self._lock:
            encoded = self._tokenizer.encode_batch([texts[i] for i in todo])
        ids = [e.ids for e in encoded]
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        for start in range(0, len(order), _BATCH):
            chunk = order[start : start + _BATCH]
            vectors = self._forward([ids[i] for i in chunk])
            out[[todo[i] for i in chunk]] = vectors
        return out

    def _forward(self, seqs: list[list[int]]) -> Vectors:
        """BERT's encoder over a batch of token ids, mean-pooled over the real tokens."""
        w = self._w
        n = max(len(s) for s in seqs)
        ids = np.zeros((len(seqs), n), dtype=np.intp)
        mask = np.zeros((len(seqs), n), dtype=np.float32)
        for i, s in enumerate(seqs):
            ids[i, : len(s)] = s
            mask[i, : len(s)] = 1.0
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:n][None]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = self._norm(x, "embeddings.LayerNorm")
        b, t, d = x.shape
        hd = d // _HEADS
        padding = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :]
        scale = np.float32(1.0 / math.sqrt(hd))
        for layer in range(self._layers):
            p = f"encoder.layer.{layer}."
            q = self._heads(self._dense(x, p + "attention.self.query"), b, t, hd)
            k = self._heads(self._dense(x, p + "attention.self.key"), b, t, hd)
            v = self._heads(self._dense(x, p + "attention.self.value"), b, t, hd)
            scores = (q @ k.transpose(0, 1, 3, 2)) * scale + padding
            scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
            scores /= scores.sum(axis=-1, keepdims=True)
            attended = (scores @ v).transpose(0, 2, 1, 3).reshape(b, t, d)
            x = self._norm(
                self._dense(attended, p + "attention.output.dense") + x,
                p + "attention.output.LayerNorm",
            )
            inner = _gelu(self._dense(x, p + "intermediate.dense"))
            x = self._norm(self._dense(inner, p + "output.dense") + x, p + "output.LayerNorm")
        pooled = (x * mask[..., None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
        pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        out: Vectors = pooled.astype(np.float32)
        return out

    @staticmethod
    def _heads(x: Vectors, b: int, t: int, hd: int) -> Vectors:
        return x.reshape(b, t, _HEADS, hd).transpose(0, 2, 1, 3)

    def _norm(self, x: Vectors, name: str) -> Vectors:
        mean = x.mean(axis=-1, keepdims=True)
        var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
        normed = (x - mean) / np.sqrt(var + np.float32(1e-12))
        out: Vectors = normed * self._w[name + ".weight"] + self._w[name + ".bias"]
        return out

    def _dense(self, x: Vectors, name: str) -> Vectors:
        return x @ self._w[name + ".weight"] + self._w[name + ".bias"]


def _gelu(x: Vectors) -> Vectors:
    """BERT's exact GELU, x * Φ(x), with erf from Abramowitz and Stegun 7.1.26 (error < 2e-7)."""
    z = np.abs(x) * np.float32(1.0 / math.sqrt(2.0))
    t = 1.0 / (1.0 + np.float32(0.3275911) * z)
    poly = np.zeros_like(t)
    for a in (1.061405429, -1.453152027, 1.421413741, -0.284496736, 0.254829592):
        poly = (poly + np.float32(a)) * t
    erf: npt.NDArray[np.float32] = np.sign(x) * (1.0 - poly * np.exp(-z * z))
    return (0.5 * x * (1.0 + erf)).astype(np.float32)


_lock = threading.Lock()
_shared: TransformerEmbedder | None = None


def shared_transformer() -> TransformerEmbedder:
    """The one read-only transformer of the process, loaded on first use (about 0.3 s)."""
    global _shared
    with _lock:
        if _shared is None:
            _shared = TransformerEmbedder()
        return _shared
