"""An index over the vocabulary of distinct skills, with postings from skill to members."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Literal

from rapidfuzz import fuzz, process

from matching.normalize import normalize, words

ReasonKind = Literal["exact", "alias", "fuzzy"]

# Words that say nothing about a skill; they never match one on their own.
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "can",
        "could",
        "do",
        "does",
        "for",
        "from",
        "get",
        "got",
        "has",
        "have",
        "help",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "me",
        "my",
        "need",
        "needs",
        "of",
        "on",
        "or",
        "our",
        "please",
        "so",
        "some",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "this",
        "to",
        "up",
        "us",
        "we",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "about",
        "just",
        "like",
        "want",
        "wants",
        "trying",
        "try",
        "anyone",
        "someone",
        "know",
        "looking",
    ]
)

FUZZY_CUTOFF = 88.0
MAX_NGRAM = 3


@dataclass(frozen=True)
class Reason:
    """Why a member fits: their skill, the words of the need it matched, and how."""

    skill: str
    matched: str
    kind: ReasonKind

    def describe(self) -> str:
        """The reason in words a member understands."""
        if self.kind == "exact":
            return f"you offered '{self.skill}'"
        return f"you offered '{self.skill}' (~ '{self.matched}')"


@dataclass(frozen=True)
class Candidate:
    """A member who could help, how strongly, and why."""

    member_id: str
    score: float
    reasons: tuple[Reason, ...]

    @property
    def explanation(self) -> str:
        """All reasons, joined for a sentence."""
        return "; ".join(r.describe() for r in self.reasons)


@dataclass(frozen=True)
class _Hit:
    term: str
    matched: str
    strength: float
    kind: ReasonKind


class Matcher:
    """Ranks members against a need by the skills they offered."""

    def __init__(self) -> None:
        self._postings: dict[str, dict[str, int]] = defaultdict(dict)  # term -> member -> count
        self._display: dict[tuple[str, str], str] = {}  # (member, term) -> skill as written
        self._member_terms: dict[str, set[str]] = defaultdict(set)
        self._vocabulary: list[str] = []
        self._vocabulary_dirty = False

    # -- profile changes (incremental) ---------------------------------------------------

    def add_skill(self, member_id: str, skill: str, count: int = 1) -> None:
        """Record that a member offers a skill (with `count` pieces of evidence)."""
        term = normalize(skill)
        if not term:
            return
        posting = self._postings[term]
        if not posting:
            self._vocabulary_dirty = True
        posting[member_id] = posting.get(member_id, 0) + max(1, count)
        self._display.setdefault((member_id, term), skill.strip())
        self._member_terms[member_id].add(term)

    def remove_skill(self, member_id: str, skill: str) -> None:
        """Forget one skill of one member."""
        term = normalize(skill)
        posting = self._postings.get(term)
        if posting is None or member_id not in posting:
            return
        del posting[member_id]
        self._display.pop((member_id, term), None)
        self._member_terms[member_id].discard(term)
        if not posting:
            del self._postings[term]
            self._vocabulary_dirty = True

    def remove_member(self, member_id: str) -> None:
        """Forget a member entirely."""
        for term in list(self._member_terms.get(member_id, ())):
            self.remove_skill(member_id, self._display.get((member_id, term), term))
        self._member_terms.pop(member_id, None)

    def record_help(self, member_id: str, need_text: str) -> None:
        """Remember that a member helped resolve a need with this text (not used yet)."""

    def skills_of(self, member_id: str) -> list[str]:
        """A member's skills as they wrote them."""
        return sorted(self._display[(member_id, t)] for t in self._member_terms.get(member_id, ()))

    def __len__(self) -> int:
        return sum(1 for terms in self._member_terms.values() if terms)

    # -- matching ------------------------------------------------------------------------

    def topics(self, text: str) -> list[str]:
        """The skills a need is about (known ones first), for reporting unmet topics."""
        hits = self._hits(text)
        if hits:
            return [h.term for h in sorted(hits, key=lambda h: -h.strength)]
        return [normalize(w) for w in words(text) if w not in STOPWORDS and len(w) > 2][:3]

    def match(
        self, text: str, *, exclude: Collection[str] = (), limit: int = 20
    ) -> list[Candidate]:
        """Members ranked by how well their skills fit the need, best first."""
        scores: dict[str, float] = defaultdict(float)
        reasons: dict[str, list[Reason]] = defaultdict(list)
        total = max(1, len(self._member_terms))
        for hit in self._hits(text):
            posting = self._postings.get(hit.term, {})
            specificity = math.log(1 + total / len(posting)) if posting else 0.0
            for member_id, count in posting.items():
                if member_id in exclude:
                    continue
                scores[member_id] += hit.strength * specificity * (1 + math.log(count))
                shown = self._display.get((member_id, hit.term), hit.term)
                reasons[member_id].append(Reason(shown, hit.matched, hit.kind))
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
        return [Candidate(m, round(s, 6), tuple(reasons[m])) for m, s in ranked]

    def explain(self, text: str, member_id: str) -> Candidate | None:
        """How one member fits a need, or None when they do not."""
        for candidate in self.match(text, limit=len(self._member_terms) or 1):
            if candidate.member_id == member_id:
                return candidate
        return None

    def _grams(self, text: str) -> Iterable[str]:
        tokens = words(text)
        for n in range(MAX_NGRAM, 0, -1):
            for i in range(len(tokens) - n + 1):
                gram = tokens[i : i + n]
                if n == 1 and gram[0] in STOPWORDS:
                    continue
                yield " ".join(gram)

    def _hits(self, text: str) -> list[_Hit]:
        if self._vocabulary_dirty:
            self._vocabulary = sorted(self._postings)
            self._vocabulary_dirty = False
        best: dict[str, _Hit] = {}
        for gram in self._grams(text):
            term = normalize(gram)
            if term in self._postings:
                kind: ReasonKind = "exact" if term == gram else "alias"
                hit = _Hit(term, gram, 1.0, kind)
            elif len(gram) >= 5:
                found = process.extractOne(
                    gram, self._vocabulary, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF
                )
                if found is None:
                    continue
                hit = _Hit(found[0], gram, found[1] / 100.0, "fuzzy")
            else:
                continue
            if hit.term not in best or best[hit.term].strength < hit.strength:
                best[hit.term] = hit
        return list(best.values())
