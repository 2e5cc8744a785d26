"""The transformer's vectors are those of BERT's encoder written out plainly."""

import math
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from matching.transformer import MODEL_DIR, shared_transformer

Array = npt.NDArray[np.float64]

TEXTS = [
    "my borrow checker keeps complaining about lifetimes, can someone help?",
    "useEffect runs twice in development",
    "PostgreSQL",
    "tax returns",
    "a",
    "how do I tune a slow query that joins three tables on a text column with an index",
    "日本語",
    "Kubernetes (k8s) Helm chart values override",
]


def reference(ids: list[int]) -> Array:
    """One text through the encoder in float64, one operation per line of the paper."""
    from safetensors.numpy import load_file

    raw = load_file(str(MODEL_DIR / "model.safetensors"))

    def w(name: str) -> Array:
        out: Array = (
            raw[name].astype(np.float64)
            if name in raw
            else (raw[name + ".int8"].astype(np.float64) * raw[name + ".scale"][:, None])
        )
        return out

    def norm(x: Array, name: str) -> Array:
        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        out: Array = (x - mean) / np.sqrt(var + 1e-12) * w(name + ".weight") + w(name + ".bias")
        return out

    def dense(x: Array, name: str) -> Array:
        return x @ w(name + ".weight").T + w(name + ".bias")

    n = len(ids)
    x = w("embeddings.word_embeddings.weight")[ids]
    x = x + w("embeddings.position_embeddings.weight")[:n]
    x = norm(x + w("embeddings.token_type_embeddings.weight")[0], "embeddings.LayerNorm")
    heads, d = 12, x.shape[1]
    for layer in range(6):
        p = f"encoder.layer.{layer}."
        q, k, v = (
            dense(x, p + "attention.self." + m).reshape(n, heads, d // heads).transpose(1, 0, 2)
            for m in ("query", "key", "value")
        )
        scores = q @ k.transpose(0, 2, 1) / math.sqrt(d // heads)
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        attended = (scores / scores.sum(-1, keepdims=True)) @ v
        x = norm(
            dense(attended.transpose(1, 0, 2).reshape(n, d), p + "attention.output.dense") + x,
            p + "attention.output.LayerNorm",
        )
        inner = dense(x, p + "intermediate.dense")
        inner = inner * 0.5 * (1.0 + np.vectorize(math.erf)(inner / math.sqrt(2.0)))
        x = norm(dense(inner, p + "output.dense") + x, p + "output.LayerNorm")
    pooled: Array = x.mean(0)
    return pooled / np.linalg.norm(pooled)


@pytest.fixture(scope="module")
def expected() -> Array:
    """The reference vector of each text."""
    tokenizer = shared_transformer()._tokenizer
    return np.stack([reference(e.ids) for e in tokenizer.encode_batch(TEXTS)])


def test_a_batch_of_texts_of_many_lengths_reads_as_the_reference(expected: Array) -> None:
    """Texts padded to the longest of their batch read as they would alone."""
    got = shared_transformer().embed(TEXTS)
    assert got.dtype == np.float32
    assert np.abs(got - expected).max() <= 1e-4


def test_one_text_at_a_time_reads_as_the_reference(expected: Array) -> None:
    """A need embedded alone, as a query is, gets the reference vector."""
    embedder = shared_transformer()
    got = np.vstack([embedder.embed([t]) for t in TEXTS])
    assert np.abs(got - expected).max() <= 1e-4


def test_many_short_texts_in_several_batches_read_as_the_reference(expected: Array) -> None:
    """Hundreds of skills, more than one batch, each get their own vector back in place."""
    texts = (TEXTS * 60)[::-1]
    got = shared_transformer().embed([*texts, " "])
    want = np.vstack([expected[TEXTS.index(t)] for t in texts])
    assert np.abs(got[:-1] - want).max() <= 1e-4
    assert not got[-1].any()


def test_a_process_ending_while_the_model_reads_exits_cleanly(tmp_path: Path) -> None:
    """The bot stopping while skills are read in the background ends normally, not aborted."""
    script = tmp_path / "reads.py"
    script.write_text(
        textwrap.dedent(
            """
            import threading, time
            from matching.transformer import shared_transformer

            model = shared_transformer()

            def read() -> None:
                while True:
                    model.embed([f"skill number {i}" for i in range(16)])

            threading.Thread(target=read, daemon=True).start()
            time.sleep(0.3)
            """
        )
    )
    for _ in range(5):  # the call under way at exit differs each time
        done = subprocess.run(
            [sys.executable, str(script)], capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr[-500:]
        assert "terminate" not in done.stderr
