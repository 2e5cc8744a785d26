"""A small sentence transformer, run with numpy alone on the CPU: meaning in context.

The static model (`matching.semantic.StaticEmbedder`) knows words; it cannot tell that a
"borrow checker" is Rust or that "useEffect" is React. This one reads the whole sentence:
MiniLM-L6 (all-MiniLM-L6-v2, 6 layers, 384 dimensions), shipped inside this package in
`models/minilm/` (int8 weights with one scale per row, 23 MB, and its tokenizer). No torch,
no service, nothing downloaded: a need of twenty words costs a few milliseconds.
"""

from __future__ import annotations

import itertools
import math
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from matching.semantic import ModelMissing, Vectors

MODEL_DIR = Path(__file__).parent / "models" / "minilm"
_HEADS = 12
_BATCH = 64  # sentences per forward pass: like lengths together, little padding
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
            if value.ndim == 1:
                value = value[:, None]  # biases and norms act on columns: a token is a column
            self._w[key] = np.ascontiguousarray(value, dtype=np.float32)
        layers = sum(1 for k in self._w if k.endswith("attention.self.query.weight"))
        self._prefixes = [f"encoder.layer.{layer}." for layer in range(layers)]
        scale = np.float32(1.0 / math.sqrt(self.dim // _HEADS))
        for p in self._prefixes:
            # Q, K and V as one product; Q scaled here rather than every score later.
            names = [p + f"attention.self.{m}" for m in ("query", "key", "value")]
            mats = [self._w.pop(m + ".weight") for m in names]
            biases = [self._w.pop(m + ".bias") for m in names]
            mats[0], biases[0] = mats[0] * scale, biases[0] * scale
            self._w[p + "qkv.weight"] = np.ascontiguousarray(np.vstack(mats))
            self._w[p + "qkv.bias"] = np.concatenate(biases)
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
        """BERT's encoder over a batch of token ids, mean-pooled over each sequence's tokens.

        The sequences lie side by side, not padded to the longest: the dense layers, most of
        the cost, see only real tokens (a need read whole and clause by clause costs its
        tokens, not three times the longest), and attention stays within each sequence.
        """
        w = self._w
        lengths = [len(s) for s in seqs]
        starts = list(itertools.accumulate(lengths[:-1], initial=0))
        ids = np.fromiter(itertools.chain.from_iterable(seqs), dtype=np.intp)
        positions = np.concatenate([np.arange(n) for n in lengths])
        x = w["embeddings.word_embeddings.weight"][ids]
        x += w["embeddings.position_embeddings.weight"][positions]
        x += w["embeddings.token_type_embeddings.weight"][0]
        d = x.shape[1]
        hd = d // _HEADS
        # Runs of sequences of one length attend as one batch: (first column, count, length).
        runs: list[tuple[int, int, int]] = []
        for start, n in zip(starts, lengths, strict=True):
            if runs and runs[-1][2] == n:
                runs[-1] = (runs[-1][0], runs[-1][1] + 1, n)
            else:
                runs.append((start, 1, n))
        # Each token a column of one matrix, the weights on the left as stored (out, in): each
        # dense layer is one product W @ x, and BLAS packs the few tokens rather than the
        # weights (a query of 20 tokens spent most of its time packing them).
        x = self._norm(np.ascontiguousarray(x.T), "embeddings.LayerNorm")
        for p in self._prefixes:
            qkv: Vectors = w[p + "qkv.weight"] @ x
            qkv += w[p + "qkv.bias"]
            attended = np.empty_like(x)
            for first, m, n in runs:
                block = qkv[:, first : first + m * n]
                # (3, heads, hd, m, n) seen as (3, m, heads, hd, n): a view, not a copy.
                q, k, v = block.reshape(3, _HEADS, hd, m, n).transpose(0, 3, 1, 2, 4)
                scores = np.matmul(q.transpose(0, 1, 3, 2), k)  # (m, heads, query, key)
                scores -= scores.max(axis=-1, keepdims=True)
                np.exp(scores, out=scores)
                scores /= scores.sum(axis=-1, keepdims=True)
                out = np.matmul(v, scores.transpose(0, 1, 3, 2))  # (m, heads, hd, query)
                attended[:, first : first + m * n] = out.transpose(1, 2, 0, 3).reshape(d, m * n)
            h: Vectors = w[p + "attention.output.dense.weight"] @ attended
            h += w[p + "attention.output.dense.bias"]
            h += x
            x = self._norm(h, p + "attention.output.LayerNorm")
            inner: Vectors = w[p + "intermediate.dense.weight"] @ x
            inner += w[p + "intermediate.dense.bias"]
            _gelu(inner)
            h = w[p + "output.dense.weight"] @ inner
            h += w[p + "output.dense.bias"]
            h += x
            x = self._norm(h, p + "output.LayerNorm")
        pooled: Vectors = np.add.reduceat(x, starts, axis=1).T
        pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), np.float32(1e-12))
        return pooled

    def _norm(self, x: Vectors, name: str) -> Vectors:
        """LayerNorm of each column, in place: x is the caller's temporary."""
        x -= x.mean(axis=0)
        var = np.einsum("ij,ij->j", x, x)
        var *= np.float32(1.0 / x.shape[0])
        var += np.float32(1e-12)
        np.sqrt(var, out=var)
        x /= var
        x *= self._w[name + ".weight"]
        x += self._w[name + ".bias"]
        return x


def _gelu(x: Vectors) -> None:
    """BERT's exact GELU, x * Φ(x), in place; erf by Abramowitz and Stegun 7.1.26 (< 2e-7)."""
    z = np.abs(x)
    z *= np.float32(1.0 / math.sqrt(2.0))
    t = z * np.float32(0.3275911)
    t += np.float32(1.0)
    np.reciprocal(t, out=t)
    poly = np.full_like(t, np.float32(1.061405429))
    for a in (-1.453152027, 1.421413741, -0.284496736, 0.254829592):
        poly *= t
        poly += np.float32(a)
    poly *= t
    np.square(z, out=z)
    np.negative(z, out=z)
    np.exp(z, out=z)
    poly *= z
    # poly is now 1 - erf(|x|/√2), so Φ(x) is poly/2 below zero and 1 - poly/2 above it.
    poly *= np.float32(0.5)
    np.subtract(np.float32(1.0), poly, out=poly, where=x > 0)
    x *= poly


_lock = threading.Lock()
_shared: TransformerEmbedder | None = None


def shared_transformer() -> TransformerEmbedder:
    """The one read-only transformer of the process, loaded on first use (about 0.3 s)."""
    global _shared
    with _lock:
        if _shared is None:
            _shared = TransformerEmbedder()
        return _shared
