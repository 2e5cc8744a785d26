"""Meaning, not only words: a small static embedding model, and the skills nearest a need.

The model is WordLlama's 256-dimension static token embeddings (16 MB, shipped inside the
`wordllama` wheel with its tokenizer). A text's vector is the mean of its tokens' vectors,
normalised, so embedding costs a tokenizer call and a few additions: no GPU, no service.
It is loaded straight from the installed package's files, never through the package's own
loader, which looks for the tokenizer elsewhere and then tries to download it.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from importlib.util import find_spec
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from matching.normalize import ALIASES, STOPWORDS, fold, words

Vectors = npt.NDArray[np.float32]

_WEIGHTS = Path("weights") / "l2_supercat_256.safetensors"
_TOKENIZER = Path("tokenizers") / "l2_supercat_tokenizer_config.json"


# onnxruntime and the tokenizers abort the whole process if it ends while a thread is inside
# them (a matcher built or skills read in the background when the bot stops): at exit, the
# calls under way finish, and a thread that would start one waits for the end instead.
_calls = threading.Condition()
_inside = 0
_ending = False


@contextlib.contextmanager
def native_call() -> Iterator[None]:
    """Around a call into a model's native code, which must not be under way at exit."""
    global _inside
    with _calls:
        while _ending:
            _calls.wait()
        _inside += 1
    try:
        yield
    finally:
        with _calls:
            _inside -= 1
            _calls.notify_all()


@atexit.register
def _end_calls() -> None:
    """Let the calls under way finish (a batch takes well under a second) and start no more."""
    global _ending
    with _calls:
        _ending = True
        _calls.wait_for(lambda: _inside == 0, timeout=10)


class Embedder(Protocol):
    """Turns texts into unit vectors whose dot product says how alike they mean."""

    @property
    def dim(self) -> int:
        """The length of each vector."""
        ...

    def embed(self, texts: Sequence[str]) -> Vectors:
        """One normalised row per text (a zero row for a text with nothing to embed)."""
        ...


class ModelMissing(RuntimeError):
    """The embedding model's files are not installed."""


DIMS = 128  # the model is trained so its first dimensions carry most of the meaning


class StaticEmbedder:
    """Mean-pooled static token embeddings, read from local files only.

    Only the first `dims` dimensions are kept: the model was trained so that they carry most
    of the meaning (Matryoshka), and half the numbers make every search twice as cheap.
    """

    def __init__(self, weights: Path, tokenizer: Path, dims: int = DIMS) -> None:
        # Imported here so that a matcher without meaning never pays for these imports.
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        if not weights.is_file() or not tokenizer.is_file():
            raise ModelMissing(f"embedding model files not found under {weights.parent.parent}")
        matrix = load_file(str(weights))["embedding.weight"][:, :dims]
        self._matrix: Vectors = np.ascontiguousarray(matrix, dtype=np.float32)
        self._tokenizer = Tokenizer.from_file(str(tokenizer))
        self._tokenizer.no_padding()
        self._tokenizer.no_truncation()

    @property
    def dim(self) -> int:
        """The length of each vector."""
        return int(self._matrix.shape[1])

    def embed(self, texts: Sequence[str]) -> Vectors:
        """One normalised row per text (a zero row for a text with nothing to embed)."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        with native_call():
            encoded = self._tokenizer.encode_batch(list(texts), add_special_tokens=False)
        for row, enc in enumerate(encoded):
            if enc.ids:
                out[row] = self._matrix[enc.ids].mean(axis=0)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        np.divide(out, norms, out=out, where=norms > 0)
        return out


def model_dir() -> Path:
    """Where the installed `wordllama` package keeps its files (without importing it)."""
    spec = find_spec("wordllama")
    if spec is None or not spec.submodule_search_locations:
        raise ModelMissing("the wordllama package is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


_CLAUSE = re.compile(r"[,;:!?()\[\]]|\.(?:\s|$)|\s[-–—]\s")
_PAIR_HANDICAP = 0.08  # how much closer a pair must be than a single word to name the topic
# Chat words that never name a topic on their own.
_FILLER_TEXT = """
    anyone anything bad best better big bit day everyone first good idea ideas impossible
    lot month new night nobody normal ok okay old possible quick safe small someone stuff
    thing time tip tips today tomorrow way week worse year yesterday
    """
# The commonest little words of the other languages members write in (de, fr, es, pt, it),
# accents folded: a need in German or French names its topic without "meiner" or "pour".
_FOREIGN_TEXT = """
    aber als am an auch auf aus bei bin bis bitte das dass dem den der des die dir doch du
    ein eine einem einen einer es fur gibt habe hat hilfe ich ihr im ist ja jemand kann
    kannst mal man mein meine meinem meinen meiner mich mir mit nach nicht noch nur oder
    sich sie sind uber um und uns von vor war was wer wie wir wo zu zum zur
    au aux avec ce ces cette dans de des du elle est et il je la le les leur ma mais me mes
    moi mon ne nous on ou par pas pour qu que quelqu qui sa se ses son sur ta te toi ton tu
    un une vous aide besoin merci
    al como con del el en era es esta este esto ha la las le lo los me mi mis muy necesito
    nos para pero por que se si sin su sus te tengo tu un una uno y ayuda alguien gracias
    ao com da das do dos ela ele em eu isso mas meu minha na nao no nos os ou pra preciso
    uma voce obrigado ajuda
    che chi ci di gli ha il io lei lui ma mi mio nel non per piu sei si sono ti tu un uno aiuto
    """
_FILLER = frozenset(_FILLER_TEXT.split()) | frozenset(_FOREIGN_TEXT.split())


def _verb_shaped(word: str) -> bool:
    """Whether a word looks like a past verb or an adverb (`stopped`, `really`)."""
    w = fold(word)
    return len(w) > 4 and w.endswith(("ed", "ly"))


_WRITTEN = re.compile(r"[^\W_][\w+#.'’-]*[\w+#]|[^\W_]")


def _content_words(text: str) -> list[str]:
    """The words of a text that can carry its topic, as written (no stopwords or numbers)."""
    seen: dict[str, None] = {}
    for written in _WRITTEN.findall(text):
        folded = words(written)
        word = folded[0] if len(folded) == 1 else ""
        if len(word) > 1 and word not in STOPWORDS and not word.isdigit():
            seen.setdefault(written)
    return list(seen)


def clauses(text: str) -> list[str]:
    """The parts of a text between punctuation that say something (two content words)."""
    parts = (part.strip() for part in _CLAUSE.split(text))
    return [part for part in parts if len(_content_words(part)) >= 2]


def with_aliases(text: str) -> str:
    """The text followed by the long forms of the short names in it ("nn" → "neural network").

    The model knows the long forms far better than community shorthand, and keeping the
    text whole keeps what the short names meant to it as well.
    """
    found = words(text)
    longer = [ALIASES[w] for w in dict.fromkeys(found) if w in ALIASES]
    return " ".join([text, *longer]) if longer else text


_lock = threading.Lock()
_shared: StaticEmbedder | None = None


def shared_embedder() -> StaticEmbedder:
    """The one read-only model of the process, loaded on first use (about 0.2 s)."""
    global _shared
    with _lock:
        if _shared is None:
            root = model_dir()
            _shared = StaticEmbedder(root / _WEIGHTS, root / _TOKENIZER)
        return _shared


_FLUSH_SLICE = 4096  # skills embedded per call when a backlog is read at once
COARSE = 32  # the leading dimensions a first pass compares (the model ranks them first)
SHORTLIST = 16  # rows kept per wanted result for the exact second pass


class Rows:
    """Unit vectors by row, searched in two passes: leading dimensions, then whole vectors.

    The first pass reads a quarter of the numbers of every row; only a shortlist of rows is
    compared whole. The model is trained so that its leading dimensions alone rank nearly as
    the whole vectors do, and the second pass makes the returned cosines exact.
    """

    def __init__(
        self, dim: int, size: int = 64, limit: int | None = None, coarse: bool = True
    ) -> None:
        self.dim = dim
        self._limit = limit  # rows never needed beyond this many
        self._coarse = coarse  # only for models whose leading dimensions rank on their own
        self._whole: Vectors = np.zeros((size, dim), dtype=np.float32)
        self._lead: Vectors = np.zeros((size, min(COARSE, dim) if coarse else 0), dtype=np.float32)

    def __len__(self) -> int:
        return len(self._whole)

    def set(self, row: int, vector: Vectors) -> None:
        """Store a vector (a zero vector empties the row)."""
        if row >= len(self._whole):
            size = max(row + 1, 2 * len(self._whole))
            if self._limit is not None:
                size = max(row + 1, min(size, self._limit))
            for name in ("_whole", "_lead") if self._coarse else ("_whole",):
                old = getattr(self, name)
                grown = np.zeros((size, old.shape[1]), dtype=np.float32)
                grown[: len(old)] = old
                setattr(self, name, grown)
        self._whole[row] = vector
        if self._coarse:
            self._lead[row] = vector[: self._lead.shape[1]]

    def get(self, row: int) -> Vectors:
        """The vector of one row."""
        return self._whole[row, :]

    def top(self, query: Vectors, n: int, k: int) -> tuple[npt.NDArray[np.intp], Vectors]:
        """The `k` rows of the first `n` most like a vector, best first, with their cosines."""
        if n <= 0 or k <= 0:
            return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.float32)
        # One thread, no BLAS: a matrix-vector product this size is memory-bound, and BLAS
        # threads only wait for each other on a busy machine.
        short = k * SHORTLIST
        if self._coarse and n > short:
            lead = np.einsum("ij,j->i", self._lead[:n], query[: self._lead.shape[1]])
            rows = np.argpartition(-lead, short)[:short]
            sims = np.einsum("ij,j->i", self._whole[rows], query)
        else:
            rows = np.arange(n)
            sims = np.einsum("ij,j->i", self._whole[:n], query)
        best = np.argpartition(-sims, k)[:k] if len(rows) > k else np.arange(len(rows))
        best = best[np.argsort(-sims[best], kind="stable")]
        return rows[best], sims[best]


class SemanticIndex:
    """The vectors of the vocabulary's skills, to find the skills nearest a need's meaning.

    One row per distinct skill, so the cost of a search grows with the vocabulary, not with
    the number of members. Rows of forgotten skills are reused. With a costly model a search
    reads at most `EAGER` skills added since the last one (a new offer is found at once); a
    large backlog, such as a whole community at start (`defer`), is read by `flush` or in
    batches (`unread`, `read`) by whoever can spare the time, never by a search.
    """

    EAGER = 64

    def __init__(self, embedder: Embedder, words: Embedder | None = None) -> None:
        self.embedder = embedder
        self.words = words or embedder  # ranks a need's own words (its topics): cheap is fine
        self._rows: dict[str, int] = {}
        self._terms: list[str] = []
        self._free: list[int] = []
        # Only the static model is trained to rank on its leading dimensions (Matryoshka),
        # and only it is cheap enough to read any backlog in the middle of a search.
        static = isinstance(embedder, StaticEmbedder)
        self._vectors = Rows(embedder.dim, coarse=static)
        self._eager = None if static else self.EAGER
        self._pending: dict[str, str] = {}  # term -> text, embedded in one batch when needed
        # Skills a build left for later: read in the background, never by a search (a search
        # reads only what was offered since, or every command would pay for the backlog).
        self._backlog: dict[str, str] = {}
        empty: Vectors = np.zeros((0, embedder.dim), dtype=np.float32)
        self._words_of: tuple[str, list[str], Vectors] = ("", [], empty)

    def add(self, term: str, text: str) -> None:
        """Make a skill findable by meaning (`text` is how a member wrote it)."""
        if term not in self._rows:
            self._backlog.pop(term, None)
            self._pending[term] = text

    def discard(self, term: str) -> None:
        """Forget a skill nobody offers any more."""
        self._pending.pop(term, None)
        self._backlog.pop(term, None)
        row = self._rows.pop(term, None)
        if row is not None:
            self._vectors.set(row, np.zeros(self.embedder.dim, dtype=np.float32))
            self._terms[row] = ""
            self._free.append(row)

    def forget_texts(self) -> None:
        """Drop the need kept from the last `about` (its words are a member's)."""
        empty: Vectors = np.zeros((0, self.embedder.dim), dtype=np.float32)
        self._words_of = ("", [], empty)

    def about(self, text: str, term: str) -> str:
        """The words of a text closest in meaning to a skill: what the need is "about"."""
        self.flush(self._eager)
        row = self._rows.get(term)
        if self._words_of[0] != text:  # one need's words serve all its candidates
            found = _content_words(text)
            self._words_of = (text, found, self.embedder.embed(found))
        _, candidates, vectors = self._words_of
        if row is None or not candidates:
            return ""
        return candidates[int(np.argmax(vectors @ self._vectors.get(row)))]

    def phrases(self, text: str, skip: Callable[[str], bool]) -> list[str]:
        """The words or two-word phrases of a text that say best what it is about.

        Candidates are the text's content words (those `skip` does not reject) and pairs of
        them side by side in one clause ("tax return", "borrow checker"); each is ranked by
        how close its meaning is to the whole text's. A pair must be clearly closer than a
        single word to be preferred, and pairs with a verb- or adverb-shaped word ("cat
        stopped") are not phrases.
        """
        clauses = [
            [w for w in _content_words(clause) if not skip(w) and fold(w) not in _FILLER]
            for clause in _CLAUSE.split(text)
        ]
        singles = list(dict.fromkeys(w for clause in clauses for w in clause))
        if not singles:
            return []
        pairs = []
        for clause in _CLAUSE.split(text):
            written = _WRITTEN.findall(clause)
            for a, b in itertools.pairwise(written):
                if a in singles and b in singles and not (_verb_shaped(a) or _verb_shaped(b)):
                    pairs.append(f"{a} {b}")
        candidates = singles + list(dict.fromkeys(pairs))
        vectors = self.words.embed(candidates)
        whole = self.words.embed([text])[0]
        scores = vectors @ whole - np.array(
            [_PAIR_HANDICAP if " " in c else 0.0 for c in candidates], dtype=np.float32
        )
        ranked: list[str] = []
        used: set[str] = set()
        for i in np.argsort(-scores, kind="stable"):
            phrase = candidates[int(i)]
            parts = set(phrase.split())
            if parts & used:
                continue
            used |= parts
            ranked.append(phrase)
        return ranked

    def has(self, term: str) -> bool:
        """Whether a skill's meaning is read (`vectors_of` has a row for it)."""
        self.flush(self._eager)
        return term in self._rows

    def vectors_of(self, terms: Sequence[str]) -> Vectors:
        """The vectors of these skills, one row each (a skill without one is left out)."""
        self.flush(self._eager)
        rows = [r for t in terms if (r := self._rows.get(t)) is not None]
        return np.array([self._vectors.get(r) for r in rows], dtype=np.float32).reshape(
            len(rows), self.embedder.dim
        )

    def nearest(self, query: Vectors, k: int, floor: float) -> list[tuple[str, float]]:
        """The `k` skills most like a vector, with cosine at least `floor`, best first."""
        self.flush(self._eager)
        if not query.any():
            return []
        rows, sims = self._vectors.top(query, len(self._terms), k)
        return [(self._terms[i], float(c)) for i, c in zip(rows, sims, strict=True) if c >= floor]

    def unread(self, limit: int) -> list[tuple[str, str]]:
        """Up to `limit` skills waiting to be read, as (term, text): embed them elsewhere."""
        waiting = itertools.chain(self._pending.items(), self._backlog.items())
        return list(itertools.islice(waiting, limit))

    def read(self, items: Sequence[tuple[str, str]], vectors: Vectors) -> None:
        """Store vectors embedded elsewhere for skills `unread` gave (skipping any dropped)."""
        for (term, text), vector in zip(items, vectors, strict=True):
            for waiting in (self._pending, self._backlog):
                if waiting.get(term) == text:
                    del waiting[term]
                    self._store(term, vector)
                    break

    def read_from(self, other: SemanticIndex) -> None:
        """Take the vectors `other` (same model) already has for skills waiting here."""
        waiting = itertools.chain(self._pending.items(), self._backlog.items())
        items = [(t, text) for t, text in waiting if t in other._rows]
        if items:
            rows = [other._rows[t] for t, _ in items]
            self.read(items, np.stack([other._vectors.get(r) for r in rows]))

    def flush(self, limit: int | None = None) -> None:
        """Embed the skills offered since the last search (at most `limit`, the newest first:
        a skill just offered counts at once); with no limit, the backlog too."""
        waiting = self._pending if limit is not None else {**self._backlog, **self._pending}
        if not waiting:
            return
        newest = reversed(waiting.items())
        items = list(itertools.islice(newest, len(waiting) if limit is None else limit))
        # In slices: a whole community's tokens and vectors at once would cost memory twice.
        for start in range(0, len(items), _FLUSH_SLICE):
            part = items[start : start + _FLUSH_SLICE]
            self.read(part, self.embedder.embed([text for _, text in part]))

    def defer(self) -> None:
        """Leave the skills waiting now to be read in the background (`unread`, `read`)."""
        self._backlog.update(self._pending)
        self._pending.clear()

    def _store(self, term: str, vector: Vectors) -> None:
        if self._free:
            row = self._free.pop()
            self._terms[row] = term
        else:
            row = len(self._terms)
            self._terms.append(term)
        self._rows[term] = row
        self._vectors.set(row, vector)


class PastNeeds:
    """Resolved needs by meaning: the past needs nearest a new one, and who helped with them.

    Keeps the latest `capacity` needs in a ring of vectors (older help is worth little by
    then), so a search costs one product over at most `capacity` rows.
    """

    def __init__(self, embedder: Embedder, capacity: int = 20_000) -> None:
        self.embedder = embedder
        self.capacity = capacity
        self._vectors = Rows(embedder.dim, min(capacity, 64), limit=capacity)
        self._helpers: list[tuple[int, ...]] = []
        self._rows_of: dict[int, set[int]] = {}  # member -> rows of the needs they helped with
        self._at: list[float] = []
        self._next = 0  # how many needs were ever added; the next row is this modulo capacity
        self._pending: list[tuple[tuple[int, ...], str, float]] = []

    def __len__(self) -> int:
        return min(self._next + len(self._pending), self.capacity)

    def add(self, helpers: Sequence[int], text: str, at: float) -> None:
        """Remember a resolved need's meaning and who helped (embedded at the next search)."""
        if helpers and text.strip():
            self._pending.append((tuple(helpers), text, at))

    def nearest(
        self, query: Vectors, k: int, floor: float
    ) -> list[tuple[tuple[int, ...], float, float]]:
        """Up to `k` past needs most like a vector, cosine at least `floor`: (helpers, at, cos)."""
        self.flush()
        if not query.any():
            return []
        rows, sims = self._vectors.top(query, len(self._helpers), k)
        return [
            (self._helpers[i], self._at[i], float(c))
            for i, c in zip(rows, sims, strict=True)
            if c >= floor and self._helpers[i]
        ]

    def vectors_of(self, member: int) -> Vectors:
        """The vectors of the remembered needs a member helped with, one row each."""
        self.flush()
        rows = sorted(self._rows_of.get(member, ()))
        return np.array([self._vectors.get(r) for r in rows], dtype=np.float32).reshape(
            len(rows), self.embedder.dim
        )

    def flush(self) -> None:
        """Embed the needs added since the last search."""
        if not self._pending:
            return
        pending = self._pending[-self.capacity :]  # only the latest fit in the ring
        self._pending = []
        vectors = self.embedder.embed([text for _, text, _ in pending])
        for (helpers, _, at), vector in zip(pending, vectors, strict=True):
            row = self._next % self.capacity
            self._next += 1
            if row == len(self._helpers):
                self._helpers.append(helpers)
                self._at.append(at)
            else:
                for m in self._helpers[row]:  # the oldest need leaves the ring
                    self._rows_of[m].discard(row)
                self._helpers[row] = helpers
                self._at[row] = at
            for m in helpers:
                self._rows_of.setdefault(m, set()).add(row)
            self._vectors.set(row, vector)
