"""The vocabulary of distinct skills, and how free text is mapped onto it."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal

from rapidfuzz.distance import OSA

from matching.normalize import ALIASES, STOPWORDS, stem, terms, words

HitKind = Literal["exact", "alias", "fuzzy", "part", "semantic"]

# Typos are only looked for in words this long: shorter ones have too many real neighbours
# (`scale` vs `scala`, `js` vs `jq`), and a two-letter skill must only ever match as itself.
MIN_TYPO_LENGTH = 6
FUZZY_STRENGTH = 0.8
# Words that say what kind of help, not about what: alone they never name a skill, and in a
# skill of several words they weigh little ("resume review" is about the resume).
_GENERIC_TEXT = """
    advanced advice basic basics beginner beginners coaching consulting course courses dev
    development developer engineering expert experience fix fixing general help helping intro
    introduction job jobs learn learning lesson lessons native nativo nativa natif nativ
    muttersprache practice practise prep preparation review reviews service services setup
    skill skills small stuff support teaching tip tips training tutoring w work writing
    """
GENERIC_WORDS = frozenset(_GENERIC_TEXT.split())
GENERIC_WEIGHT = 0.15
_LONGEST_ALIAS = max(len(a.split()) for a in ALIASES)


@dataclass(frozen=True)
class Hit:
    """A skill found in a need: the canonical term, the words that matched it, and how."""

    term: str
    matched: str
    strength: float
    kind: HitKind


@dataclass
class _Token:
    canon: str  # the canonical word (aliased, stemmed, maybe typo-corrected)
    raw: str  # the word as written (folded)
    source: int  # index of the written word it came from
    changed: bool  # an alias or a typo correction made it differ from what was written
    fuzzy: bool


# Everyday words that are also names of skills, and the neighbours that make them everyday
# words again: "go generics" names the language, "to go", "go to" and "let's go" do not.
_SKILL_WORDS = {"go"}
_VERB_BEFORE = frozenset(
    {
        "to", "i", "we", "you", "they", "will", "can", "cant", "lets", "let", "should",
        "must", "could", "would", "shall", "ll", "dont", "wanna", "gonna", "and", "or",
    }
)  # fmt: skip
_VERB_AFTER = frozenset(
    {
        "to", "back", "ahead", "away", "out", "home", "on", "through", "over", "into", "for",
        "wrong", "right", "live", "down", "up", "off",
    }
)  # fmt: skip


def _names_a_skill(tokens: list[_Token], i: int) -> bool:
    """Whether an everyday word that is also a skill (`go`) is used as the skill's name here."""
    word = tokens[i].raw
    if word not in _SKILL_WORDS:
        return False
    before = tokens[i - 1].raw if i > 0 else ""
    after = tokens[i + 1].raw if i + 1 < len(tokens) else ""
    return before not in _VERB_BEFORE and after not in _VERB_AFTER


def _deletes(word: str) -> Iterator[str]:
    for i in range(len(word)):
        yield word[:i] + word[i + 1 :]


class Vocabulary:
    """Distinct skill terms, looked up by phrase, by joined spelling and through typos."""

    def __init__(self) -> None:
        self._terms: set[str] = set()
        self._joined: dict[str, set[str]] = defaultdict(set)  # "stakepool" -> {"stake pool"}
        self._lengths: Counter[int] = Counter()  # how many terms have n words
        self._words: Counter[str] = Counter()  # word -> number of terms using it
        self._containing: dict[str, set[str]] = defaultdict(set)  # word -> terms of 2+ words
        self._parted: set[str] = set()  # terms some member wrote in several words
        self._neighbours: dict[str, set[str]] = defaultdict(set)  # a deletion -> words
        for alias in ALIASES:  # so `postgress` finds `postgres`, an alias of `postgresql`
            if len(alias) >= MIN_TYPO_LENGTH and alias.isalpha():
                for d in _deletes(alias):
                    self._neighbours[d].add(alias)

    def __contains__(self, term: str) -> bool:
        return term in self._terms

    def __len__(self) -> int:
        return len(self._terms)

    def add(self, term: str) -> None:
        """Make a canonical term findable."""
        if term in self._terms:
            return
        self._terms.add(term)
        parts = term.split()
        self._lengths[len(parts)] += 1
        if len(parts) > 1:
            self._joined["".join(parts)].add(term)
        for w in parts:
            self._words[w] += 1
            if self._words[w] == 1 and len(w) >= MIN_TYPO_LENGTH and w.isalpha():
                for d in _deletes(w):
                    self._neighbours[d].add(w)

    def written_as(self, term: str, written: str) -> None:
        """A member wrote this term so: written in several words, its parts can match it.

        A skill written as one word stands whole even when its canonical form has several
        ("ML" is "machine learning"): "machine" in a need about pasta is not about it.
        """
        if term in self._parted or " " not in term or term not in self._terms:
            return
        if len(words(written)) > 1:
            self._parted.add(term)
            for w in set(term.split()):
                self._containing[w].add(term)

    def discard(self, term: str) -> None:
        """Forget a term nobody offers any more."""
        if term not in self._terms:
            return
        self._terms.remove(term)
        parts = term.split()
        self._lengths[len(parts)] -= 1
        if len(parts) > 1:
            joined = "".join(parts)
            self._joined[joined].discard(term)
            if not self._joined[joined]:
                del self._joined[joined]
            self._parted.discard(term)
            for w in set(parts):
                self._containing[w].discard(term)
                if not self._containing[w]:
                    self._containing.pop(w, None)
        for w in parts:
            self._words[w] -= 1
            if self._words[w] == 0:
                del self._words[w]
                if len(w) >= MIN_TYPO_LENGTH and w.isalpha():
                    for d in _deletes(w):
                        if w in ALIASES:  # aliases stay findable for good
                            break
                        self._neighbours[d].discard(w)
                        if not self._neighbours[d]:
                            del self._neighbours[d]

    def correct(self, word: str) -> str | None:
        """The skill word a misspelt word was meant to be (one edit away), if any."""
        if len(word) < MIN_TYPO_LENGTH or not word.isalpha():
            return None
        if word in self._words or word in ALIASES:
            return None
        found: set[str] = set(self._neighbours.get(word, ()))
        for d in _deletes(word):
            if d in self._words or d in ALIASES:
                found.add(d)
            found.update(self._neighbours.get(d, ()))
        best = [w for w in found if OSA.distance(word, w) <= 1]
        if not best:
            return None
        # The word most skills use is the likeliest meaning; ties go alphabetically.
        return min(best, key=lambda w: (-self._words.get(w, 0), w))

    def find(self, text: str, is_word: Callable[[str], bool] = lambda w: False) -> list[Hit]:
        """The skills a text mentions, longest phrases first, each at most once.

        `is_word` tells which unknown words are real words of the community's language
        (seen in past needs), so that they are not mistaken for typos of a skill.
        """
        tokens = self._tokens(text, is_word)
        longest = max((n for n, c in self._lengths.items() if c > 0), default=0)
        covered = [False] * len(tokens)
        best: dict[str, Hit] = {}
        # Multi-word aliases (`sql server`) may stand for a one-word skill (`mssql`).
        for n in range(min(max(longest, _LONGEST_ALIAS), 4), 0, -1):
            for i in range(len(tokens) - n + 1):
                if any(covered[i : i + n]):
                    continue
                span = tokens[i : i + n]
                hit = self._lookup(span, named_skill=n == 1 and _names_a_skill(tokens, i))
                if hit is None:
                    continue
                for j in range(i, i + n):
                    covered[j] = True
                if hit.term not in best or best[hit.term].strength < hit.strength:
                    best[hit.term] = hit
        for hit in self._parts(tokens, best):
            best[hit.term] = hit
        return sorted(best.values(), key=lambda h: h.term)

    def _parts(self, tokens: list[_Token], found: dict[str, Hit]) -> list[Hit]:
        """Skills of several words the text names by their telling parts ("rails")."""
        present: dict[str, _Token] = {}
        for i, t in enumerate(tokens):
            if t.canon in STOPWORDS and not _names_a_skill(tokens, i):
                continue
            present.setdefault(t.canon, t)
        telling: dict[str, list[_Token]] = defaultdict(list)
        for word, t in present.items():
            if word in GENERIC_WORDS:
                continue  # a generic word alone never makes a match
            for term in self._containing.get(word, ()):
                if term not in found:
                    telling[term].append(t)
        hits = []
        for term, named in telling.items():
            parts = set(term.split())
            total = sum(_weight(w) for w in parts)
            share = sum(_weight(w) for w in parts if w in present) / total if total else 0.0
            fuzzy = any(t.fuzzy for t in named)
            # The share of the skill's telling words the text names: "rails" is half of
            # "Ruby on Rails"; the matcher decides how much a part is worth.
            strength = share * (FUZZY_STRENGTH if fuzzy else 1.0)
            named.sort(key=lambda t: t.source)
            hits.append(Hit(term, _written(named), strength, "part"))
        return hits

    def _lookup(self, span: list[_Token], *, named_skill: bool = False) -> Hit | None:
        if len(span) == 1 and not named_skill:
            only = span[0]
            # `go` alone is a verb; `golang` is the skill Go, though its canonical form is `go`.
            if only.raw in STOPWORDS or (only.canon in STOPWORDS and only.raw not in ALIASES):
                return None
        matched = _written(span)
        phrase = " ".join(t.raw for t in span)
        fuzzy = any(t.fuzzy for t in span)
        if len(span) > 1 and phrase in ALIASES:
            term = " ".join(terms(phrase))
            if term in self._terms:
                return Hit(term, matched, 1.0, "alias")
        term = " ".join(t.canon for t in span)
        if term not in self._terms:
            joined = self._joined.get("".join(t.canon for t in span))
            if not joined:
                return None
            term = min(joined)
        if fuzzy:
            return Hit(term, matched, FUZZY_STRENGTH, "fuzzy")
        # Plurals and tag spellings (`quantum-gates`) count as the same words: "exact".
        kind: HitKind = "alias" if any(t.changed for t in span) else "exact"
        return Hit(term, matched, 1.0, kind)

    def _tokens(self, text: str, is_word: Callable[[str], bool]) -> list[_Token]:
        tokens: list[_Token] = []
        for source, raw in enumerate(words(text)):
            if raw in ALIASES:
                for w in words(ALIASES[raw]):
                    tokens.append(_Token(stem(w), raw, source, True, False))
                continue
            canon = stem(raw)
            if canon not in self._words and raw not in STOPWORDS and not is_word(canon):
                fixed = self.correct(canon)
                if fixed is not None:
                    for w in words(ALIASES.get(fixed, fixed)):
                        tokens.append(_Token(stem(w), raw, source, True, True))
                    continue
            tokens.append(_Token(canon, raw, source, False, False))
        return tokens


def _weight(word: str) -> float:
    """How much a word of a skill says about it: generic and filler words say little."""
    if word in STOPWORDS or word.isdigit():
        return 0.0
    return GENERIC_WEIGHT if word in GENERIC_WORDS else 1.0


def _written(span: list[_Token]) -> str:
    """The words of a span as the member wrote them, each source word once."""
    seen: list[str] = []
    last = -1
    for t in span:
        if t.source != last:
            seen.append(t.raw)
            last = t.source
    return " ".join(seen)
