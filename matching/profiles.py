"""Member profiles: skills with evidence, and postings from each skill to its members.

Member ids are interned to small ints. Each skill's posting list is kept sorted by
(most active first, most evidence first, member id), so a search can read the likeliest
helpers of a popular skill first and stop early.
"""

from __future__ import annotations

import math
from bisect import bisect_left, insort
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING

from matching.normalize import normalize
from matching.vocabulary import Vocabulary

if TYPE_CHECKING:  # numpy loads only when a matcher is given a model
    from matching.semantic import SemanticIndex

PostingKey = tuple[float, int, str]


class Profiles:
    """Who offers which skill, with how much evidence, and how active they are."""

    def __init__(self) -> None:
        self.vocabulary = Vocabulary()
        self.semantic: SemanticIndex | None = None  # skills by meaning, when a model is given
        # ...and by the cheap model too, when `semantic` has a costly one (see Matcher).
        self.cheap: SemanticIndex | None = None
        self.ids: dict[str, int] = {}
        self.names: list[str] = []
        self.skills: list[dict[str, int]] = []  # member -> term -> evidence count
        self.forms: list[tuple[str, ...]] = []  # member -> skills as written
        self.negative_activity: list[float] = []  # member -> -stored activity (sort key)
        self.postings: dict[str, list[int]] = {}
        self.max_count: dict[str, int] = {}  # an upper bound of the evidence in a posting
        self.display: dict[str, Counter[str]] = {}  # term -> written forms -> members
        self.with_skills = 0
        # Bumped whenever what a need's words or meaning can find changes (a skill or a
        # spelling of one appears or goes), so what was found for a text can be reused.
        self.generation = 0
        self._free: list[int] = []

    # -- identity --------------------------------------------------------------------------

    def mean(self, term: str, written: str) -> None:
        """Make a skill findable by meaning, in every model the profiles have."""
        for index in (self.semantic, self.cheap):
            if index is not None:
                index.add(term, written)

    def intern(self, member_id: str) -> int:
        """The int for a member id, creating an empty profile the first time."""
        m = self.ids.get(member_id)
        if m is not None:
            return m
        if self._free:
            m = self._free.pop()
            self.names[m] = member_id
        else:
            m = len(self.names)
            self.names.append(member_id)
            self.skills.append({})
            self.forms.append(())
            self.negative_activity.append(0.0)
        self.ids[member_id] = m
        return m

    def forget(self, m: int) -> None:
        """Drop a member's profile entirely (their skills must already be removed)."""
        del self.ids[self.names[m]]
        self.names[m] = ""
        self.negative_activity[m] = 0.0
        self._free.append(m)

    # -- skills ----------------------------------------------------------------------------

    def add(self, m: int, skill: str, count: int) -> str | None:
        """Add evidence for a skill, keeping its posting sorted; the term, or None if empty."""
        term = normalize(skill)
        if not term:
            return None
        skills = self.skills[m]
        old = skills.get(term)
        if old is None:
            if not skills:
                self.with_skills += 1
            written = skill.strip()
            self.forms[m] += (written,)
            forms = self.display.get(term)
            if forms is None or written not in forms:
                self.generation += 1
            if forms is None:  # a skill nobody offered until now
                forms = self.display[term] = Counter()
                self.vocabulary.add(term)
                self.mean(term, written)
            forms[written] += 1
            self.vocabulary.written_as(term, written)
        else:
            self._unpost(m, term)  # its place depends on the evidence about to change
        evidence = (old or 0) + (count if count > 1 else 1)
        skills[term] = evidence
        if evidence > self.max_count.get(term, 0):
            self.max_count[term] = evidence
        self._post(m, term)
        return term

    def remove(self, m: int, skill: str) -> bool:
        """Remove one skill of a member; False when they did not offer it."""
        term = normalize(skill)
        skills = self.skills[m]
        if term not in skills:
            return False
        self._unpost(m, term)
        self.generation += 1
        del skills[term]
        if not skills:
            self.with_skills -= 1
        written = next((f for f in self.forms[m] if normalize(f) == term), skill.strip())
        self.forms[m] = tuple(f for f in self.forms[m] if f != written)
        forms = self.display[term]
        forms[written] -= 1
        if forms[written] <= 0:
            del forms[written]
        if term not in self.postings:
            self.vocabulary.discard(term)
            for index in (self.semantic, self.cheap):
                if index is not None:
                    index.discard(term)
            del self.display[term]
            del self.max_count[term]
        return True

    def written(self, m: int, term: str) -> str:
        """A member's skill as they wrote it."""
        return next((f for f in self.forms[m] if normalize(f) == term), term)

    def term_display(self, term: str) -> str:
        """The spelling most members use for a term (ties: alphabetical)."""
        forms = self.display.get(term)
        if not forms:
            return term
        return min(forms.items(), key=lambda kv: (-kv[1], kv[0]))[0]

    def idf(self, term: str) -> float:
        """How specific a skill is: rare skills say more about a member than common ones."""
        holders = len(self.postings.get(term, ()))
        return math.log1p(self.with_skills / holders) if holders else 0.0

    # -- activity --------------------------------------------------------------------------

    def set_activity(self, m: int, stored: float) -> None:
        """Change a member's stored activity, moving them in every posting they are in."""
        terms = list(self.skills[m])
        for term in terms:
            self._unpost(m, term)
        self.negative_activity[m] = -stored
        for term in terms:
            self._post(m, term)

    # -- posting order ---------------------------------------------------------------------

    def key_for(self, term: str) -> Callable[[int], PostingKey]:
        """The sort key of a posting list."""
        negative, skills, names = self.negative_activity, self.skills, self.names
        return lambda m: (negative[m], -skills[m][term], names[m])

    def load(self, m: int, items: Iterable[tuple[str, int]], touched: set[str]) -> None:
        """Bulk-add one member's skills, leaving postings unsorted (see `finish_bulk`).

        The same as `add` for each skill but without sorting, written for speed: a million
        members' profiles go through here when a large community is loaded.
        """
        self.generation += 1
        skills, forms = self.skills[m], list(self.forms[m])
        display, postings, max_count = self.display, self.postings, self.max_count
        had_skills = bool(skills)
        for skill, count in items:
            term = normalize(skill)
            if not term:
                continue
            evidence = count if count > 1 else 1
            old = skills.get(term)
            if old is None:
                written = skill.strip()
                forms.append(written)
                seen = display.get(term)
                if seen is None:
                    seen = display[term] = Counter()
                    self.vocabulary.add(term)
                    self.mean(term, written)
                seen[written] += 1
                self.vocabulary.written_as(term, written)
                posting = postings.get(term)
                if posting is None:
                    postings[term] = [m]
                else:
                    posting.append(m)
            else:
                evidence += old
            touched.add(term)  # new holder or more evidence: the posting needs sorting
            skills[term] = evidence
            if evidence > max_count.get(term, 0):
                max_count[term] = evidence
        self.forms[m] = tuple(forms)
        if skills and not had_skills:
            self.with_skills += 1

    def load_rows(self, rows: Iterable[tuple[object, str]]) -> None:
        """Bulk-add skills given one per row as (member, skill), a member's rows together
        (members are named by `str(member)`), and sort the postings once: the same as `load`
        for each member then `finish_bulk`, with the work per distinct spelling done once.

        A million members' profiles go through here when a large community is loaded, most
        of them spelling their skills the way others do.
        """
        self.generation += 1
        spelled: dict[str, tuple[str, str]] = {}  # as given -> (term, as written)
        pairs: list[tuple[str, str]] = []  # (term, written) of each new holder, in order
        gathered: defaultdict[str, list[int]] = defaultdict(list)  # term -> new holders
        bumped: set[str] = set()  # terms a member gave twice: their evidence grew
        max_count = self.max_count
        current: object = None
        skills: dict[str, int] = {}
        forms: list[str] = []
        m = 0
        had_skills = False
        for member, skill in rows:
            if member != current:
                if current is not None:
                    self.forms[m] = tuple(forms)
                    if skills and not had_skills:
                        self.with_skills += 1
                current = member
                m = self.intern(str(member))
                skills, forms = self.skills[m], list(self.forms[m])
                had_skills = bool(skills)
            found = spelled.get(skill)
            if found is None:
                found = spelled[skill] = (normalize(skill), skill.strip())
            term = found[0]
            if not term:
                continue
            old = skills.get(term)
            if old is None:
                skills[term] = 1
                forms.append(found[1])
                pairs.append(found)
                gathered[term].append(m)
            else:
                skills[term] = old + 1
                bumped.add(term)
                if old + 1 > max_count.get(term, 0):
                    max_count[term] = old + 1
        if current is not None:
            self.forms[m] = tuple(forms)
            if skills and not had_skills:
                self.with_skills += 1
        postings = self.postings
        for term, new in gathered.items():
            posting = postings.get(term)
            if posting is None:
                postings[term] = new
            else:
                posting.extend(new)
            if max_count.get(term, 0) < 1:
                max_count[term] = 1
        display = self.display
        for (term, written), holders in Counter(pairs).items():  # first seen first
            seen = display.get(term)
            if seen is None:
                seen = display[term] = Counter()
                self.vocabulary.add(term)
                self.mean(term, written)
            seen[written] += holders
            self.vocabulary.written_as(term, written)
        self.finish_bulk(bumped | gathered.keys())

    def finish_bulk(self, terms: Iterable[str]) -> None:
        """Sort the postings a bulk load appended to."""
        terms = list(terms)
        if not terms:
            return
        # Where every holder has one piece of evidence, the order is (activity, name) for
        # everyone: rank all members once, then sort each posting by rank in C.
        negative, names = self.negative_activity, self.names
        order = sorted(range(len(names)), key=names.__getitem__)
        order.sort(key=negative.__getitem__)
        rank = [0] * len(names)
        for position, m in enumerate(order):
            rank[m] = position
        for term in terms:
            if self.max_count.get(term, 1) <= 1:
                self.postings[term].sort(key=rank.__getitem__)
            else:
                self.postings[term].sort(key=self.key_for(term))

    def _post(self, m: int, term: str) -> None:
        insort(self.postings.setdefault(term, []), m, key=self.key_for(term))

    def _unpost(self, m: int, term: str) -> None:
        posting = self.postings[term]
        key = self.key_for(term)
        i = bisect_left(posting, key(m), key=key)
        if i >= len(posting) or posting[i] != m:
            raise RuntimeError(f"posting of {term!r} out of order")
        del posting[i]
        if not posting:
            del self.postings[term]


def skill_items(skills: Mapping[str, int] | Iterable[str]) -> list[tuple[str, int]]:
    """Skills given as a mapping to counts, or as a plain list (one piece of evidence each)."""
    if isinstance(skills, Mapping):
        return list(skills.items())
    return [(s, 1) for s in skills]
