"""Needs the bot saw resolved, searchable by their words, crediting the members who helped."""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matching.normalize import STOPWORDS, terms

K1 = 1.2
B = 0.75
TF_BITS = 8  # a posting is one int: doc id shifted left, term frequency (capped) below
TF_CAP = (1 << TF_BITS) - 1
COMMON_SHARE = 0.25  # a word in more than this share of past needs says little about one


def need_words(text: str) -> Counter[str]:
    """The informative words of a need: canonical, without stopwords or bare numbers."""
    return Counter(w for w in terms(text) if w not in STOPWORDS and not w.isdigit() and len(w) > 1)


@dataclass
class _Doc:
    helpers: list[int]
    at: float
    length: int
    words: tuple[str, ...]


@dataclass(frozen=True)
class Similar:
    """A past need like this one: its helpers, when, how similar, and the words they share."""

    helpers: tuple[int, ...]
    at: float
    similarity: float
    shared: tuple[str, ...]


class HistoryIndex:
    """An inverted index over resolved needs (BM25), keeping the most recent `capacity`."""

    def __init__(self, capacity: int = 200_000) -> None:
        self.capacity = capacity
        self._docs: dict[int, _Doc] = {}
        self._lengths: list[int] = []  # doc id -> number of words (kept for dropped docs too)
        self._postings: dict[str, list[int]] = {}
        self._next_id = 0
        self._total_length = 0
        self._by_member: dict[int, set[int]] = {}
        # A word's postings as arrays (doc ids, term frequencies, doc lengths), made when a
        # search first reads the word and dropped when its postings change.
        self._arrays: dict[str, tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]] = {}

    def __len__(self) -> int:
        return len(self._docs)

    def document_frequency(self, word: str) -> int:
        """In how many remembered needs a word appears."""
        return len(self._postings.get(word, ()))

    def add(self, helpers: list[int], text: str, at: float) -> None:
        """Remember a resolved need and who helped with it."""
        counts = need_words(text)
        if not counts or not helpers:
            return
        doc_id = self._next_id
        self._next_id += 1
        self._docs[doc_id] = _Doc(list(helpers), at, sum(counts.values()), tuple(sorted(counts)))
        self._lengths.append(self._docs[doc_id].length)
        self._total_length += self._docs[doc_id].length
        for word, tf in counts.items():
            self._postings.setdefault(word, []).append((doc_id << TF_BITS) | min(tf, TF_CAP))
            self._arrays.pop(word, None)
        for m in helpers:
            self._by_member.setdefault(m, set()).add(doc_id)
        while len(self._docs) > self.capacity:
            self._drop(next(iter(self._docs)))  # ids only grow: the first is the oldest

    def remove_member(self, member: int) -> None:
        """Stop crediting a member; a need nobody is credited for any more is forgotten."""
        for doc_id in sorted(self._by_member.pop(member, ())):
            doc = self._docs[doc_id]
            doc.helpers = [h for h in doc.helpers if h != member]
            if not doc.helpers:
                self._drop(doc_id)

    def words_of(self, member: int) -> frozenset[str]:
        """Every word of the remembered needs a member helped with."""
        docs = self._docs
        return frozenset(w for d in self._by_member.get(member, ()) for w in docs[d].words)

    def similar(self, text: str, *, k: int, max_words: int, budget: int) -> list[Similar]:
        """The `k` remembered needs most like this text, best first.

        Reads at most `max_words` words, rarest first, and stops adding words once `budget`
        postings have been read: the rare words of a need decide which needs are like it.
        """
        n = len(self._docs)
        if not n:
            return []
        common = max(8, COMMON_SHARE * n)
        df = {
            w: len(p) for w in need_words(text) if (p := self._postings.get(w)) and len(p) <= common
        }
        idf = {w: math.log(1 + (n - f + 0.5) / (f + 0.5)) for w, f in df.items()}
        query = sorted(idf, key=lambda w: (-idf[w], w))[:max_words]
        avg = self._total_length / n
        read = 0
        used = []
        for w in query:
            if read and read + df[w] > budget:
                break
            read += df[w]
            used.append(w)
        if not used:
            return []
        # One pass over the read postings with arrays: each word adds its BM25 part to the
        # docs it is in; a doc's length is stored with each of its postings.
        parts = [self._array(w) for w in used]
        docs = np.concatenate([d for d, _ in parts])
        tf = np.concatenate([t[0] for _, t in parts])
        length = np.concatenate([t[1] for _, t in parts])
        weight = np.repeat([idf[w] * (K1 + 1) for w in used], [len(d) for d, _ in parts])
        gain = weight * tf / (tf + K1 * (1 - B) + K1 * B / avg * length)
        unique, first, inverse = np.unique(docs, return_index=True, return_inverse=True)
        scores = np.bincount(inverse, weights=gain, minlength=len(unique))
        # Best first; ties keep the order in which docs were first scored, which the index fixes.
        order = np.lexsort((first, -scores))[:k]
        best = [(int(unique[i]), float(scores[i])) for i in order]
        out = []
        for doc_id, score in best:
            doc = self._docs[doc_id]
            shared = [w for w in used if _contains(doc.words, w)]
            out.append(Similar(tuple(doc.helpers), doc.at, score, tuple(shared[:3])))
        return out

    def _array(self, word: str) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        """A word's postings as arrays: doc ids, and (term frequency, doc length) rows."""
        found = self._arrays.get(word)
        if found is None:
            listed = self._postings[word]
            postings = np.array(listed, dtype=np.int64)
            lengths = self._lengths
            stats = np.empty((2, len(listed)), dtype=np.float64)
            stats[0] = postings & TF_CAP
            stats[1] = [lengths[p >> TF_BITS] for p in listed]
            docs = postings >> TF_BITS
            found = self._arrays[word] = (docs, stats)
        return found

    def _drop(self, doc_id: int) -> None:
        doc = self._docs.pop(doc_id)
        self._total_length -= doc.length
        for word in doc.words:
            postings = self._postings[word]
            i = bisect_left(postings, doc_id << TF_BITS)
            del postings[i]
            self._arrays.pop(word, None)
            if not postings:
                del self._postings[word]
        for m in doc.helpers:
            docs = self._by_member.get(m)
            if docs is not None:
                docs.discard(doc_id)
                if not docs:
                    del self._by_member[m]


def _contains(sorted_words: tuple[str, ...], word: str) -> bool:
    i = bisect_left(sorted_words, word)
    return i < len(sorted_words) and sorted_words[i] == word
