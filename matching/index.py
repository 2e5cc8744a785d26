"""The matcher: profiles, history and activity in; ranked, explained candidates out.

A member's score for a need adds three signals (one set of weights for every community):
- activity: log(1 + recent helps), recency counted in the community's own helps, not in
  days (`activity.py`);
- history: how much they helped with needs worded like this one (BM25 over resolved needs,
  credited to their helpers, recent ones counting more) (`history.py`), and with needs that
  mean the same, when the matcher has a model (`semantic.PastNeeds`);
- skills: each skill of theirs the need mentions or means, weighted by how well it matched
  (by words, by some of its telling words, or by meaning through an optional model), how
  specific the skill is in this community (idf) and how much evidence they have (log count).
Only members whose skill fits well enough, or who helped with similar needs, are proposed.
"""

from __future__ import annotations

import heapq
import itertools
import math
import time
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from matching.activity import Activity
from matching.candidate import Candidate, PastHelp, Reason, SkillMatch
from matching.history import HistoryIndex, Similar, need_words
from matching.normalize import STOPWORDS, fold, terms, words
from matching.profiles import Profiles, skill_items
from matching.vocabulary import Hit

if TYPE_CHECKING:  # numpy loads only when a matcher is given a model
    from matching.semantic import Embedder, PastNeeds, Vectors

__all__ = ["Candidate", "Matcher", "PastHelp", "Reason", "SkillMatch", "Weights"]


@dataclass(frozen=True)
class Weights:
    """The tunable constants of the score; the defaults are the evaluated ones."""

    history: float = 1.5  # times log(1 + similarity-weighted past helps)
    skills: float = 0.03  # times sum(match strength * idf * log(1 + evidence))
    similar_needs: int = 100  # how many similar past needs vote
    query_words: int = 64  # the rarest words of a need that search the history
    history_budget: int = 4_000  # postings of past needs one search reads at most
    exhaustive: int = 256  # postings this short are always read whole
    depth: int = 4096  # at most this many holders of popular skills are read per need
    known_word_df: int = 3  # a word in this many past needs is a word, not a typo
    half_life_days: float = 21.0  # past help counts half after this many days...
    half_life_helps: float = 25.0  # ...and this many later helps, whichever comes last
    part: float = 0.3  # for ranking, times the share of a skill's telling words a need names
    part_fit: float = 0.7  # ...and for deciding whether it fits
    semantic: float = 0.25  # times how strongly a skill's meaning fits the need (0..1)
    semantic_k: int = 4  # the skills nearest a need's meaning that are considered
    semantic_lo: float = 0.1  # cosine below which a skill's meaning says nothing
    semantic_hi: float = 0.55  # cosine at which it fits fully
    semantic_clause: float = 0.85  # a clause of a longer need alone fits this much as well
    meaning_history: float = 1.0  # the nearest past need by meaning votes this much
    meaning_history_lo: float = 0.5  # cosine below which a past need's meaning says nothing
    meaning_history_fit: float = 0.9  # ...and from which its helpers fit (the same need again)
    fit: float = 0.4  # a member is asked only for a skill that fits at least this much
    keep: float = 0.9  # ...and only when their score is at least this share of the best


@dataclass
class _Query:
    text: str
    hits: list[Hit]
    weights: list[tuple[str, float]]  # (term, score weight) for each hit
    history: dict[int, float]  # member -> similarity-weighted past helps
    shared: dict[int, tuple[str, ...]]  # member -> words shared with the nearest past need
    vector: Vectors | None = None  # the need's meaning, when the matcher has a model
    meaning: dict[int, float] = field(default_factory=dict)  # member -> votes by meaning
    close: frozenset[int] = frozenset()  # members who helped with a need of the same meaning

    def helped(self, m: int) -> bool:
        """Whether the member helped with needs like this one (by words or by meaning)."""
        return m in self.history or m in self.close

    def fits(self, skills: Mapping[str, int], fit: float) -> bool:
        """Whether one of these skills fits the need well enough to ask about it."""
        return self.fitness(skills) >= fit

    def fitness(self, skills: Mapping[str, int]) -> float:
        """How well the best of these skills fits the need (0 to 1)."""
        return max((h.strength for h in self.hits if h.term in skills), default=0.0)


# Needs embedded in one call by `explain_each`: most lists stop after a few fits.
_EXPLAINED_AT_ONCE = 32
# Needs whose words and meaning are kept for the next `explain_each`.
_SEEN_TEXTS = 4096
# Room for rounding between two ways of computing the same cosine, always towards "maybe".
_SLACK = 1e-5
_READ_NEEDS = 4096  # needs whose meaning is kept (about 6 kB each)


@dataclass
class _Seen:
    """An open need as `explain_each` keeps it: its words' skills, its meaning roughly, and
    (once needed) its skills by words and meaning together."""

    text: str
    hits: list[Hit]
    meaning: _Meaning | None
    merged: list[Hit] | None = None


@dataclass(frozen=True)
class _Meaning:
    """A need's meaning: in the skills' model, whole and clause by clause (each row with the
    share of its cosine that counts), and in the cheap model, for past needs."""

    skills: Vectors
    counts: Vectors
    past: Vectors | None
    cheap: bool  # the skills' rows are in the cheap model (the need names a skill outright)


@dataclass(frozen=True)
class _Reach:
    """A need could fit a member: whether its words and its meaning could find their help."""

    history: bool
    meaning: bool


def _names_a_skill(found: list[Hit]) -> bool:
    """Whether a need names an offered skill outright: whole, by an alias, or misspelt."""
    return any(h.kind in ("exact", "alias", "fuzzy") for h in found)


class Matcher:
    """Ranks members against a need by activity, past help and the skills they offered."""

    def __init__(
        self,
        weights: Weights | None = None,
        embedder: Embedder | None = None,
        reader: Embedder | None = None,
    ) -> None:
        """`embedder`, a cheap model, gives meaning to past needs and a need's topics;
        `reader`, a model that reads words in context, to skills (the embedder when None)."""
        self.weights = weights or Weights()
        self._profiles = Profiles()
        if embedder is not None:
            from matching.semantic import SemanticIndex

            self._profiles.semantic = SemanticIndex(reader or embedder, words=embedder)
            if reader is not None:
                self._profiles.cheap = SemanticIndex(embedder)
        self._embedder = embedder
        self._meanings = self._new_meanings()
        self._history = HistoryIndex()
        self._activity = Activity(1.0)  # on the community's clock (see `_clock`)
        self._help_times: list[float] = []  # when each help happened, in order
        self._log: list[tuple[tuple[str, ...], str, float]] = []  # helps as recorded
        self._stored: dict[int, float] = {}  # member -> stored (undecayed) activity
        # Bumped at every change of the history: what a need's words find depends on it.
        self._history_changes = 0
        self._seen_key: tuple[int, int] = (-1, -1)
        self._read_needs: OrderedDict[tuple[str, bool], _Meaning] = OrderedDict()
        self._seen_texts: dict[str, _Seen] = {}

    # -- profile changes (incremental) ---------------------------------------------------

    def add_skill(self, member_id: str, skill: str, count: int = 1) -> None:
        """Record that a member offers a skill (with `count` pieces of evidence)."""
        self._profiles.add(self._profiles.intern(member_id), skill, count)

    def add_member(self, member_id: str, skills: Mapping[str, int] | Iterable[str]) -> None:
        """Add several skills of one member at once (a mapping gives evidence counts)."""
        m = self._profiles.intern(member_id)
        for skill, count in skill_items(skills):
            self._profiles.add(m, skill, count)

    def add_members(self, members: Iterable[tuple[str, Mapping[str, int] | Iterable[str]]]) -> None:
        """Bulk load many profiles: the postings are sorted once at the end."""
        touched: set[str] = set()
        profiles = self._profiles
        for member_id, skills in members:
            profiles.load(profiles.intern(member_id), skill_items(skills), touched)
        profiles.finish_bulk(touched)

    def add_skill_rows(self, rows: Iterable[tuple[object, str]]) -> None:
        """Bulk load profiles given one skill per row, (member, skill), a member's together
        (`str(member)` is the member id).

        The fastest way to load a large community: see `Profiles.load_rows`.
        """
        self._profiles.load_rows(rows)

    def remove_skill(self, member_id: str, skill: str) -> None:
        """Forget one skill of one member."""
        m = self._profiles.ids.get(member_id)
        if m is not None:
            self._profiles.remove(m, skill)

    def remove_member(self, member_id: str) -> None:
        """Forget a member entirely: skills, activity and the credit for past help."""
        # Needs read so far may be theirs: nothing of them is kept (nor written to a file).
        self._read_needs.clear()
        self._seen_key, self._seen_texts = (-1, -1), {}
        for index in (self._profiles.semantic, self._profiles.cheap):
            if index is not None:
                index.forget_texts()
        m = self._profiles.ids.get(member_id)
        if m is None:
            return
        for written in self._profiles.forms[m]:
            self._profiles.remove(m, written)
        self._stored.pop(m, None)
        self._profiles.set_activity(m, 0.0)
        self._profiles.forget(m)
        # The community's clock counts helps: without theirs, every later help is younger.
        # Replaying the others gives exactly what a matcher built without them would hold.
        log = [
            (rest, text, at)
            for helpers, text, at in self._log
            if (rest := tuple(h for h in helpers if h != member_id))
        ]
        for other in list(self._stored):
            self._profiles.set_activity(other, 0.0)
        self._stored.clear()
        self._history = HistoryIndex(self._history.capacity)
        self._meanings = self._new_meanings()
        self._activity = Activity(1.0)  # on the community's clock (see `_clock`)
        self._help_times = []
        self._log = []
        self._history_changes += 1
        for helpers, text, at in log:
            self.record_helps(helpers, text, at)

    def record_help(self, member_id: str, need_text: str, at: float | None = None) -> None:
        """The member helped resolve a need with this text (at `at`, epoch seconds; now if None).

        It counts as activity (recent help weighs more) and as history: later needs worded
        like this one will find this member.
        """
        self.record_helps([member_id], need_text, at)

    def record_helps(
        self, helpers: Collection[str], need_text: str, at: float | None = None
    ) -> None:
        """Several members helped resolve the same need (one history entry for all)."""
        when = time.time() if at is None else at
        self._history_changes += 1
        names = tuple(dict.fromkeys(helpers))
        self._log.append((names, need_text, when))
        when = self._clock(when)
        ms = [self._profiles.intern(h) for h in names]
        weight = self._activity.weight(when)
        for m in ms:
            self._stored[m] = self._stored.get(m, 0.0) + weight
            self._profiles.set_activity(m, self._stored[m])
        self._history.add(ms, need_text, when)
        if self._meanings is not None:
            self._meanings.add(ms, need_text, when)

    def _new_meanings(self) -> PastNeeds | None:
        if self._embedder is None:
            return None
        from matching.semantic import PastNeeds

        return PastNeeds(self._embedder)

    def load_history(self, helps: Iterable[tuple[object, str, float | None]]) -> None:
        """Bulk `record_help` for many (helper, need text, at) in time order, before
        profiles are loaded: the same result, without moving anyone in any posting."""
        profiles, stored, history, log = self._profiles, self._stored, self._history, self._log
        weight = self._activity.weight
        now = time.time()
        self._history_changes += 1
        for helper, text, at in helps:
            name = str(helper)
            when = now if at is None else at
            log.append(((name,), text, when))
            m = profiles.intern(name)
            clock = self._clock(when)
            value = stored.get(m, 0.0) + weight(clock)
            stored[m] = value
            if profiles.skills[m]:
                profiles.set_activity(m, value)
            else:  # in no posting yet: only the sort key changes
                profiles.negative_activity[m] = -value
            history.add([m], text, clock)
            if self._meanings is not None:
                self._meanings.add([m], text, clock)

    def _clock(self, at: float) -> float:
        """A help's time on the community's own clock, in half-lives.

        The clock moves at the slower of two paces: days, and the community's own helps. A
        busy community forgets in weeks; a small one with a few needs a week forgets only
        after many of its own helps, so its helpers are not "forgotten" after three weeks.
        """
        w = self.weights
        before = bisect_right(self._help_times, at)
        self._help_times.insert(before, at)
        days = (at - self._help_times[0]) / 86400.0
        return min(days / w.half_life_days, before / w.half_life_helps)

    def prepare(self, read: int | None = None) -> None:
        """Embed the skills and past needs added since the last match now (else it does it).

        With a reading model, at most `read` skills are read now (all when None): the rest
        wait for `unread_skills` and `read_skills`, or a few at each match.
        """
        if self._profiles.semantic is not None:
            self._profiles.semantic.flush(read)
            if read is not None:
                self._profiles.semantic.defer()
        if self._profiles.cheap is not None:
            self._profiles.cheap.flush()
        if self._meanings is not None:
            self._meanings.flush()

    def unread_skills(self, limit: int) -> list[tuple[str, str]]:
        """Up to `limit` skills whose meaning is not read yet, to embed with `skill_model`."""
        semantic = self._profiles.semantic
        return semantic.unread(limit) if semantic is not None else []

    def read_skills(self, items: Sequence[tuple[str, str]], vectors: Vectors) -> None:
        """Take the meanings of skills `unread_skills` gave, embedded by `skill_model`."""
        if self._profiles.semantic is not None:
            self._profiles.semantic.read(items, vectors)

    def read_skills_from(self, other: Matcher) -> None:
        """Take the meanings `other` (with the same models) already read for skills waiting
        here: a matcher loaded from a file need not read again what the running one has."""
        for mine, theirs in (
            (self._profiles.semantic, other._profiles.semantic),
            (self._profiles.cheap, other._profiles.cheap),
        ):
            if mine is not None and theirs is not None and mine.embedder is theirs.embedder:
                mine.read_from(theirs)

    @property
    def skill_model(self) -> Embedder | None:
        """The model that gives skills their meaning (None without one)."""
        semantic = self._profiles.semantic
        return semantic.embedder if semantic is not None else None

    def skills_of(self, member_id: str) -> list[str]:
        """A member's skills as they wrote them."""
        m = self._profiles.ids.get(member_id)
        return sorted(self._profiles.forms[m]) if m is not None else []

    def __len__(self) -> int:
        return self._profiles.with_skills

    # -- matching ------------------------------------------------------------------------

    def topics(self, text: str) -> list[str]:
        """The skills a need is about (known ones first), for reporting unmet topics.

        Known skills come spelled the way members write them; then what the need is about
        in its own words: with a model, the words or two-word phrases closest to its whole
        meaning ("tax return", "borrow checker"), else its informative words in order; up
        to three topics in all.
        """
        w = self.weights
        hits = [
            h
            for h in self._profiles.vocabulary.find(text, self._is_word)
            if h.kind != "part" or h.strength * w.part_fit >= w.fit
        ]
        known = [self._profiles.term_display(h.term) for h in hits]
        seen = {w for h in hits for w in h.term.split()}

        def uninformative(word: str) -> bool:
            canon = terms(word)
            return (
                word in STOPWORDS
                or not word.isalpha()
                or any(c in seen for c in canon)
                or all(c in STOPWORDS for c in canon)
            )

        semantic = self._profiles.semantic
        if semantic is not None:
            others = semantic.phrases(text, lambda written: uninformative(fold(written)))
            return known + others[: max(0, 3 - len(known))]
        others = []
        for word in words(text):
            if uninformative(word):
                continue
            seen.update(terms(word))
            others.append(word)
        return known + others[: max(0, 3 - len(known))]

    def match(
        self, text: str, *, exclude: Collection[str] = (), limit: int = 20
    ) -> list[Candidate]:
        """Members with a reason to help, ranked best first (at most `limit`)."""
        query = self._query(text)
        excluded = {self._profiles.ids[e] for e in exclude if e in self._profiles.ids}
        skills, w = self._profiles.skills, self.weights
        top = self._top(query, excluded, limit)
        fitness = {m: query.fitness(skills[m]) for m, _ in top}
        best = max(fitness.values(), default=0.0)
        # Whoever helped with needs like this one fits; others fit by a skill, and only when
        # it fits nearly as well as the best one: a wrong ask costs a helper's goodwill.
        cut = max(w.fit, w.keep * best)
        scores = [(m, s) for m, s in top if query.helped(m) or fitness[m] >= cut]
        return [self._candidate(m, s, query) for m, s in scores]

    def explain(self, text: str, member_id: str) -> Candidate | None:
        """How one member fits a need, or None when they have no reason to."""
        m = self._profiles.ids.get(member_id)
        if m is None:
            return None
        query = self._query(text)
        skills = self._profiles.skills[m]
        if not query.helped(m) and not query.fits(skills, self.weights.fit):
            return None
        return self._candidate(m, self._score(m, query), query)

    def explain_each(self, texts: Iterable[str], member_id: str) -> Iterator[Candidate | None]:
        """`explain` for each of many needs and one member, lazily, with the same answers.

        Most needs cannot fit a given member, and saying so needs no search of the whole
        history or of every skill's meaning: a need is searched only as far as the member's
        own skills, past help and past needs' meanings say it could fit them. The others are
        None at once.
        """
        m = self._profiles.ids.get(member_id)
        if m is None:
            yield from (None for _ in texts)
            return
        reach = self._reach(m)
        batch: list[str] = []
        for text in texts:
            batch.append(text)
            if len(batch) == _EXPLAINED_AT_ONCE:
                yield from self._explain_batch(batch, m, reach)
                batch = []
        yield from self._explain_batch(batch, m, reach)

    def _explain_batch(
        self, texts: list[str], m: int, reach: Callable[[_Seen], _Reach | None]
    ) -> Iterator[Candidate | None]:
        skills = self._profiles.skills[m]
        for text, seen in zip(texts, self._seen(texts), strict=True):
            could = reach(seen)
            if could is None:
                yield None
                continue
            query = self._query(text, history=could.history, meaning=could.meaning)
            if not query.helped(m) and not query.fits(skills, self.weights.fit):
                yield None
                continue
            yield self._candidate(m, self._score(m, query), query)

    def _seen(self, texts: list[str]) -> list[_Seen]:
        """What each need's words find among the skills, and its meaning roughly.

        Kept for the next member's list while the skills and the history stay the same:
        every member's `/needs` looks through the same open needs.
        """
        key = (self._profiles.generation, self._history_changes)
        if self._seen_key != key or len(self._seen_texts) > _SEEN_TEXTS:
            self._seen_key, self._seen_texts = key, {}
        seen = self._seen_texts
        new = [t for t in dict.fromkeys(texts) if t not in seen]
        w = self.weights
        found = [self._profiles.vocabulary.find(text, self._is_word) for text in new]
        meanings = self._meanings_of(new, [_names_a_skill(f) for f in found])
        for text, words_found, meaning in zip(new, found, meanings, strict=True):
            # As `_query` has them: a skill named by some of its words fits by the share.
            parts = [
                replace(h, strength=h.strength * w.part_fit) if h.kind == "part" else h
                for h in words_found
            ]
            seen[text] = _Seen(text, parts, meaning)
        return [seen[t] for t in texts]

    def _meanings_of(self, texts: list[str], named: list[bool]) -> list[_Meaning | None]:
        """What needs mean, in one batch per model (None without a model).

        A need that names an offered skill outright needs no reading in context to find it
        (its words rank it), so only the cheap model reads it; the costly one, when there is
        one, reads the needs that name none. A need of several clauses is also read clause by
        clause, each a little discounted: the one clause that names the problem ("router or
        ISP?") is diluted in the whole.
        """
        p = self._profiles
        if p.semantic is None or not texts:
            return [None] * len(texts)
        cheap = [n and p.cheap is not None for n in named]
        out: list[_Meaning | None] = [None] * len(texts)
        # A need's meaning depends on its text and on which model reads it, nothing else:
        # kept across lists and changes, so an /offer or a /needs never reads a need twice.
        cache = self._read_needs
        todo = []
        for i, key in enumerate(zip(texts, cheap, strict=True)):
            found = cache.get(key)
            if found is None:
                todo.append(i)
            else:
                cache.move_to_end(key)
                out[i] = found
        if not todo:
            return out
        fresh = self._read([texts[i] for i in todo], [cheap[i] for i in todo])
        for i, meaning in zip(todo, fresh, strict=True):
            out[i] = cache[(texts[i], cheap[i])] = meaning
        while len(cache) > _READ_NEEDS:
            cache.popitem(last=False)
        return out

    def _read(self, texts: list[str], cheap: list[bool]) -> list[_Meaning]:
        """What needs mean (see `_meanings_of`), read by their models now."""
        import numpy as np

        from matching.semantic import clauses, with_aliases

        p, w = self._profiles, self.weights
        parts = [
            [t] if use_cheap else [t, *(c if len(c := clauses(t)) > 1 else [])]
            for t, use_cheap in zip(texts, cheap, strict=True)
        ]
        read: dict[int, _Meaning] = {}
        for use_cheap in (False, True):
            index = p.cheap if use_cheap else p.semantic
            chosen = [i for i, c in enumerate(cheap) if c == use_cheap]
            if index is None or not chosen:
                continue
            flat = [with_aliases(x) for i in chosen for x in parts[i]]
            vectors = index.embedder.embed(flat)
            if index.embedder is self._embedder:
                starts = itertools.accumulate((len(parts[i]) for i in chosen[:-1]), initial=0)
                past: list[Vectors | None] = [vectors[s] for s in starts]
            else:
                assert self._embedder is not None
                past = list(self._embedder.embed([with_aliases(texts[i]) for i in chosen]))
            at = 0
            for i, vector in zip(chosen, past, strict=True):
                rows = vectors[at : at + len(parts[i])]
                counts = np.full(len(parts[i]), w.semantic_clause, dtype=np.float32)
                counts[0] = 1.0
                read[i] = _Meaning(rows, counts, vector, use_cheap)
                at += len(parts[i])
        return [read[i] for i in range(len(texts))]

    def _near(self, seen: _Seen) -> list[Hit]:
        """A need's skills found by words and by meaning, as `_query` finds them (kept)."""
        if seen.merged is None:
            assert seen.meaning is not None
            near = self._nearest_skills(seen.meaning)
            ranking = {h.term: 0.0 for h in seen.hits}  # only the hits' strengths are used
            seen.merged, _ = self._with_meaning(seen.hits, ranking, near)
        return seen.merged

    def _reach(self, m: int) -> Callable[[_Seen], _Reach | None]:
        """What could make a need fit member `m`.

        None when nothing could: no skill of theirs fits by its words or by its meaning,
        they helped with no need sharing a word with it, and none of theirs is as close in
        meaning as the same need again. Otherwise, whether the history by words and past
        needs by meaning could credit them at all: only then are they searched. A skill's
        meaning is searched among all skills only when the member's own skill is near enough
        to fit; every bound leans towards "could", so the answers are `explain`'s.
        """
        p, w = self._profiles, self.weights
        mine = p.skills[m]
        past_words = self._history.words_of(m)
        meanings = self._meanings
        known: dict[bool, tuple[list[str], Vectors]] = {}
        for cheap, index in ((False, p.semantic), (True, p.cheap)):
            if index is not None:
                terms_known = [t for t in mine if index.has(t)]
                known[cheap] = (terms_known, index.vectors_of(terms_known))
        past_vectors = None
        if meanings is not None and w.meaning_history > 0:
            past_vectors = meanings.vectors_of(m)
        span = max(1e-9, w.semantic_hi - w.semantic_lo)

        def reach(seen: _Seen) -> _Reach | None:
            lexical = {h.term: h.strength for h in seen.hits if h.term in mine}
            history = bool(past_words) and not past_words.isdisjoint(need_words(seen.text))
            fits = any(s >= w.fit for s in lexical.values())
            meaning = close = False
            rough = seen.meaning
            if rough is not None:
                if rough.past is not None and past_vectors is not None and len(past_vectors):
                    nearest = float((past_vectors @ rough.past).max())
                    meaning = nearest >= w.meaning_history_lo - _SLACK
                    close = nearest >= w.meaning_history_fit - _SLACK
                skill_terms, skill_vectors = known.get(rough.cheap, ([], None))
                if not fits and skill_vectors is not None and len(skill_vectors):
                    cosines = ((skill_vectors @ rough.skills.T) * rough.counts).max(axis=1)
                    fits = any(
                        1.0
                        - (1.0 - lexical.get(term, 0.0))
                        * (1.0 - min(1.0, max(0.0, (float(c) + _SLACK - w.semantic_lo) / span)))
                        >= w.fit - _SLACK
                        for term, c in zip(skill_terms, cosines, strict=True)
                    )
                    if fits:  # near enough: whether it is among the nearest skills decides
                        merged = self._near(seen)
                        best = max((h.strength for h in merged if h.term in mine), default=0.0)
                        fits = best >= w.fit
            if not (fits or history or close):
                return None
            return _Reach(history, meaning)

        return reach

    def rank_all(self, text: str, *, exclude: Collection[str] = ()) -> list[tuple[str, float]]:
        """Every member, best first, with scores: for offline evaluation (costs O(members))."""
        query = self._query(text)
        names = self._profiles.names
        skip = set(exclude)
        scored = [
            (names[m], self._score(m, query))
            for m in self._profiles.ids.values()
            if names[m] not in skip
        ]
        scored.sort(key=lambda kv: (-kv[1], kv[0]))
        return scored

    # -- internals -----------------------------------------------------------------------

    def _is_word(self, word: str) -> bool:
        return self._history.document_frequency(word) >= self.weights.known_word_df

    def _query(self, text: str, *, history: bool = True, meaning: bool = True) -> _Query:
        """What a need finds: skills by words and meaning, past help by words and meaning.

        Without `history` (or `meaning`) the past needs by words (or by meaning) are not
        searched, for a member they could not credit anyway.
        """
        p, w = self._profiles, self.weights
        found = p.vocabulary.find(text, self._is_word)
        # A skill named by some of its words (`part`) fits and ranks by the share named.
        hits = [
            replace(h, strength=h.strength * w.part_fit) if h.kind == "part" else h for h in found
        ]
        ranking = {h.term: h.strength * (w.part if h.kind == "part" else 1.0) for h in found}
        vector = None
        if p.semantic is not None:
            # A need's meaning depends on its text alone: a `/needs` list already has it.
            seen = self._seen_texts.get(text)
            if seen is not None:
                meaning_of = seen.meaning
            else:
                meaning_of = self._meanings_of([text], [_names_a_skill(found)])[0]
            assert meaning_of is not None
            hits, ranking = self._with_meaning(hits, ranking, self._nearest_skills(meaning_of))
            vector = meaning_of.past
        weights = [(h.term, w.skills * ranking[h.term] * p.idf(h.term)) for h in hits]
        similar = (
            self._history.similar(
                text, k=w.similar_needs, max_words=w.query_words, budget=w.history_budget
            )
            if history
            else []
        )
        helped, shared = self._credit(similar)
        votes, close = self._meaning_votes(vector if meaning else None)
        return _Query(text, hits, weights, helped, shared, vector, votes, close)

    def _nearest_skills(self, meaning: _Meaning) -> list[tuple[str, float]]:
        """The skills nearest a need's meaning (whole or by a clause), best first."""
        p, w = self._profiles, self.weights
        semantic = p.cheap if meaning.cheap else p.semantic
        assert semantic is not None
        best: dict[str, float] = {}
        for vector, count in zip(meaning.skills, meaning.counts, strict=True):
            for term, cosine in semantic.nearest(vector, w.semantic_k, w.semantic_lo):
                best[term] = max(best.get(term, 0.0), cosine * float(count))
        ranked = sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))
        return [(t, c) for t, c in ranked if c >= w.semantic_lo][: w.semantic_k]

    def _meaning_votes(self, vector: Vectors | None) -> tuple[dict[int, float], frozenset[int]]:
        """Votes from past needs near in meaning, and who helped with the same need again.

        Like the votes by words, the nearest past need votes fully and the others less.
        """
        w = self.weights
        votes: dict[int, float] = {}
        close: set[int] = set()
        if vector is None or self._meanings is None or w.meaning_history <= 0:
            return votes, frozenset()
        near = self._meanings.nearest(vector, w.similar_needs, w.meaning_history_lo)
        span = max(1e-9, (near[0][2] if near else 1.0) - w.meaning_history_lo)
        for helpers, at, cosine in near:
            vote = w.meaning_history * (cosine - w.meaning_history_lo) / span
            vote *= self._activity.age_weight(at)
            for m in helpers:
                votes[m] = votes.get(m, 0.0) + vote
                if cosine >= w.meaning_history_fit:
                    close.add(m)
        return votes, frozenset(close)

    def _with_meaning(
        self, hits: list[Hit], ranking: dict[str, float], near: list[tuple[str, float]]
    ) -> tuple[list[Hit], dict[str, float]]:
        """Merge the skills found by words with those near the need's meaning.

        Each source alone gives its strength; both together give more than either
        (1 - (1 - a)(1 - b)), so "rails" in a need about an app's slow queries fits
        "Ruby on Rails" better than the word or the meaning alone would. The hits carry how
        well a skill fits (to decide whom to ask); the second result is each skill's strength
        for ranking, where meaning weighs `semantic` as much as words.
        """
        w = self.weights
        span = max(1e-9, w.semantic_hi - w.semantic_lo)
        by_term = {h.term: h for h in hits}
        ranking = dict(ranking)
        for term, cosine in near:
            meaning = min(1.0, max(0.0, (cosine - w.semantic_lo) / span))
            if meaning <= 0.0:
                continue
            found = by_term.get(term)
            lexical = found.strength if found is not None else 0.0
            ranked = ranking.get(term, 0.0)
            ranking[term] = 1.0 - (1.0 - ranked) * (1.0 - w.semantic * meaning)
            if found is None:
                by_term[term] = Hit(term, "", meaning, "semantic")
                continue
            both = 1.0 - (1.0 - lexical) * (1.0 - meaning)
            by_term[term] = Hit(term, found.matched, both, found.kind)  # words explain best
        return sorted(by_term.values(), key=lambda h: h.term), ranking

    def _credit(
        self, similar: list[Similar]
    ) -> tuple[dict[int, float], dict[int, tuple[str, ...]]]:
        history: dict[int, float] = {}
        shared: dict[int, tuple[str, ...]] = {}
        if not similar:
            return history, shared
        top = similar[0].similarity or 1.0
        for s in similar:  # best first, so the first shared words seen are the nearest need's
            vote = s.similarity / top * self._activity.age_weight(s.at)
            for m in s.helpers:
                history[m] = history.get(m, 0.0) + vote
                shared.setdefault(m, s.shared)
        return history, shared

    def _score(self, m: int, query: _Query) -> float:
        skills = self._profiles.skills[m]
        score = Activity.prior(self._stored.get(m, 0.0), self._activity.decay())
        for term, weight in query.weights:
            count = skills.get(term)
            if count:
                score += weight * math.log1p(count)
        h = query.history.get(m, 0.0) + query.meaning.get(m, 0.0)
        if h:
            score += self.weights.history * math.log1p(h)
        return round(score, 9)

    def _top(self, query: _Query, excluded: set[int], limit: int) -> list[tuple[int, float]]:
        """The best `limit` members with a reason, reading popular skills' postings lazily.

        Postings are sorted most active first, so while reading a long posting the activity
        part of any unread member's score is bounded by the member just read; once that bound
        plus the most the long skills could add falls below the current `limit`-th score,
        nobody unread can enter the result. Short postings are simply read whole.
        """
        p = self._profiles
        scored: dict[int, float] = {}
        best: list[float] = []  # a min-heap of the `limit` best scores so far

        def consider(m: int) -> None:
            if m in scored or m in excluded:
                return
            s = self._score(m, query)
            scored[m] = s
            if len(best) < limit:
                heapq.heappush(best, s)
            elif s > best[0]:
                heapq.heapreplace(best, s)

        for m in query.history:
            consider(m)
        for m in query.meaning:
            consider(m)
        weight = dict(query.weights)
        by_length = sorted(weight, key=lambda t: (len(p.postings.get(t, ())), t))
        long_terms = []
        for term in by_length:
            posting = p.postings.get(term, [])
            if len(posting) <= self.weights.exhaustive:
                for m in posting:
                    consider(m)
            else:
                long_terms.append(term)
        if long_terms and limit > 0:
            self._read_long(long_terms, weight, consider, best, limit)
        ranked = sorted(scored.items(), key=lambda kv: (-kv[1], p.names[kv[0]]))
        return ranked[:limit]

    def _read_long(
        self,
        long_terms: list[str],
        weight: dict[str, float],
        consider: Callable[[int], None],
        best: list[float],
        limit: int,
    ) -> None:
        """Read popular skills' postings until nobody unread can beat the current best."""
        p = self._profiles
        negative = p.negative_activity
        postings = [p.postings[t] for t in long_terms]
        # Members who never helped sort last in each posting, by evidence: find where.
        idle = [bisect_left(lst, 0.0, key=negative.__getitem__) for lst in postings]
        bound = sum(weight[t] * math.log1p(p.max_count.get(t, 1)) for t in long_terms)
        decay = self._activity.decay()
        budget = self.weights.depth
        # First the members who helped, most active first, all skills at once.
        active = heapq.merge(
            *(lst[:i] for lst, i in zip(postings, idle, strict=True)), key=negative.__getitem__
        )
        for m in active:
            if len(best) >= limit and Activity.prior(-negative[m], decay) + bound <= best[0]:
                return
            budget -= 1
            if budget < 0:
                return
            consider(m)
        # Then the others, by evidence, one skill at a time (the threshold algorithm).
        skills = p.skills
        cursors = list(idle)
        while budget > 0:
            threshold = 0.0
            for t, lst, i in zip(long_terms, postings, cursors, strict=True):
                if i < len(lst):
                    threshold += weight[t] * math.log1p(skills[lst[i]][t])
            if threshold == 0.0 or (len(best) >= limit and threshold <= best[0]):
                return
            for k, lst in enumerate(postings):
                if cursors[k] < len(lst):
                    consider(lst[cursors[k]])
                    cursors[k] += 1
                    budget -= 1

    def _candidate(self, m: int, score: float, query: _Query) -> Candidate:
        p = self._profiles
        skills = p.skills[m]
        reasons: list[Reason] = []
        weight = dict(query.weights)
        hits = [h for h in query.hits if h.term in skills]
        hits.sort(key=lambda h: (-weight[h.term] * math.log1p(skills[h.term]), h.term))
        # Only the skills that fit are worth telling; the best one when none does alone.
        shown = [h for h in hits if h.strength >= self.weights.fit] or hits[:1]
        for h in shown:
            matched = h.matched
            # The cheap model picks the need's word nearest the skill: a candidate's reason
            # is worded for every need a `/needs` list shows, so it must cost little.
            words_index = p.cheap or p.semantic
            if h.kind == "semantic" and words_index is not None and query.vector is not None:
                matched = words_index.about(query.text, h.term) or matched
            reasons.append(SkillMatch(p.written(m, h.term), matched, h.kind))
        if query.helped(m) or m in query.meaning:
            reasons.append(PastHelp(query.shared.get(m, ())))  # no words: alike in meaning
        return Candidate(p.names[m], score, tuple(reasons))
