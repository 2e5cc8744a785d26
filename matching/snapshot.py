"""A built matcher kept in a file between starts: written whole or not at all, read back
only when intact and written by this very code and meaning model.

Loading one is several times cheaper than building the matcher again (no text is parsed,
no skill or past need embedded). The file holds members' words (skills and past needs):
it is created readable by its owner only, and a file another user could have written is
never read.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import io
import json
import os
import pickle
import struct
import sys
import tempfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from matching.index import Matcher

if TYPE_CHECKING:
    from matching.semantic import Embedder

# Bumped when what a snapshot holds changes in a way the source digest would not show.
FORMAT = 1
MAGIC = b"WHUFFIE-MATCHER\n"
_TRAILER = struct.Struct("<QI")  # payload length, CRC-32 of the payload
_PROBE = "a snapshot knows its meaning model by how it embeds these words"
_EMBEDDER = "embedder"


class Unusable(Exception):
    """The snapshot cannot be used (missing, damaged, or written by other code); says why."""


def fingerprint(
    embedder: Embedder | None, extra: bytes = b"", *, reader: Embedder | None = None
) -> str:
    """What a snapshot depends on besides its data: this package's code, the meaning models
    (each known by how it embeds a fixed text), Python's version, and the caller's `extra`."""
    digest = hashlib.sha256(f"{FORMAT} {sys.version_info[:2]}".encode())
    for source in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(source.name.encode() + b"\0" + source.read_bytes())
    for model in (embedder, reader):
        digest.update(b"model" if model is not None else b"none")
        if model is not None:
            digest.update(model.embed([_PROBE]).astype("<f4").tobytes())
    digest.update(extra)
    return digest.hexdigest()


class _Pickler(pickle.Pickler):
    """Pickles a matcher without its meaning model: the loading process brings its own."""

    def __init__(self, out: io.RawIOBase, embedder: object) -> None:
        super().__init__(out, protocol=5)
        self._embedder = embedder

    def persistent_id(self, obj: Any) -> str | None:
        """The model is named, not pickled."""
        return _EMBEDDER if obj is not None and obj is self._embedder else None


class _Unpickler(pickle.Unpickler):
    """Reads a matcher back, handing it this process's meaning model."""

    def __init__(self, data: IO[bytes], embedder: object) -> None:
        super().__init__(data)
        self._embedder = embedder

    def persistent_load(self, pid: Any) -> object:
        """The model named in the snapshot is this process's own."""
        if pid != _EMBEDDER or self._embedder is None:
            raise pickle.UnpicklingError("the snapshot needs a meaning model")
        return self._embedder


class _Summing(io.RawIOBase):
    """Writes through to a file, keeping the length and CRC-32 of what went by."""

    def __init__(self, out: IO[bytes]) -> None:
        self._out = out
        self.length = 0
        self.crc = 0

    def writable(self) -> bool:
        """Always."""
        return True

    def write(self, data: Any) -> int:
        """Pass the bytes on and count them in."""
        view = memoryview(data)
        self._out.write(view)
        self.length += view.nbytes
        self.crc = zlib.crc32(view, self.crc)
        return view.nbytes


@contextlib.contextmanager
def _no_collection() -> Iterator[None]:
    """Millions of new containers would run the cycle collector over and over: a snapshot
    holds no garbage, so it is paused while one is read or written."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def save(path: Path, matcher: Matcher, embedder: Embedder | None, meta: dict[str, Any]) -> None:
    """Write the matcher (less its meaning model, `embedder`) and `meta` (JSON) to `path`
    atomically, readable by its owner only.

    The file is written beside its final name and renamed over it once on disk, so a crash
    mid-write, or several processes writing at once, never leave a torn file behind.
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(MAGIC)
            out.write(json.dumps(meta, sort_keys=True).encode() + b"\n")
            summing = _Summing(out)
            with _no_collection():
                _Pickler(summing, embedder).dump(matcher)
            out.write(_TRAILER.pack(summing.length, summing.crc))
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def load(path: Path, embedder: Embedder | None, expected: str) -> tuple[dict[str, Any], Matcher]:
    """The `meta` and matcher saved in `path`, if it is intact and its fingerprint is
    `expected`; else `Unusable`."""
    try:
        with open(path, "rb") as file:
            found = os.fstat(file.fileno())
            if found.st_uid != os.geteuid() or found.st_mode & 0o022:
                raise Unusable("another user could have written it")
            data = file.read()
    except FileNotFoundError:
        raise Unusable("there is none") from None
    except OSError as exc:
        raise Unusable(f"it cannot be read ({exc.strerror})") from None
    if not data.startswith(MAGIC):
        raise Unusable("it is not a matcher snapshot")
    end_of_meta = data.find(b"\n", len(MAGIC))
    if end_of_meta < 0 or len(data) < end_of_meta + 1 + _TRAILER.size:
        raise Unusable("it is cut short")
    try:
        meta = json.loads(data[len(MAGIC) : end_of_meta])
    except ValueError:
        raise Unusable("its header is damaged") from None
    if not isinstance(meta, dict) or meta.get("fingerprint") != expected:
        raise Unusable("it was written by other code or with another meaning model")
    start, end = end_of_meta + 1, len(data) - _TRAILER.size
    length, crc = _TRAILER.unpack_from(data, end)
    if length != end - start or zlib.crc32(memoryview(data)[start:end]) != crc:
        raise Unusable("it is damaged")
    stream = io.BytesIO(data)  # shares the bytes read, no copy
    stream.seek(start)
    try:
        with _no_collection():
            matcher = _Unpickler(stream, embedder).load()
    except Exception as exc:
        raise Unusable(f"it cannot be unpacked ({type(exc).__name__})") from None
    if not isinstance(matcher, Matcher):
        raise Unusable("it holds no matcher")
    return meta, matcher
