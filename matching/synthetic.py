"""A synthetic community for benchmarks: a Zipf-distributed skill vocabulary, helpers, needs.

Deterministic for a seed. Skills are made-up words (so no real skill is favoured), a third
of them multi-word; popularity follows Zipf's law; needs mention a member's skills in the
spellings people use (plurals, dashes, capitals) and a quarter of them carry a typo.
"""

from __future__ import annotations

import bisect
import itertools
import random
from array import array
from collections.abc import Iterator
from dataclasses import dataclass

SYLLABLES = [
    c + v
    for c in ["b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "ch", "st"]
    for v in ["a", "e", "i", "o", "u", "ai", "or", "an"]
]
_FILLER_TEXT = (
    "how do i set up my the a with for when it keeps failing after upgrade slow error "
    "deploy config best way to debug our team is stuck on anyone who knows about please "
    "help need advice review production issue question migrate from into latest version"
)
FILLER = _FILLER_TEXT.split()


@dataclass(frozen=True)
class Need:
    """A need posted by `asker`, and whether its text carries a typo."""

    asker: str
    text: str
    typo: bool


class Community:
    """Profiles, resolved needs and open needs of `members` made-up members."""

    def __init__(self, members: int, *, skills: int | None = None, seed: int = 7) -> None:
        self.members = members
        self.seed = seed
        self.rng = random.Random(seed)
        n_skills = skills or min(50_000, max(2_000, members // 4))
        self.skills = self._vocabulary(n_skills)
        # Zipf's law (s = 1): the k-th most popular skill is k times rarer than the first.
        self._cumulative = list(itertools.accumulate(1.0 / (k + 1) for k in range(n_skills)))
        self._offsets = array("l", [0])
        self._skill_ids = array("l")
        self._counts = array("B")
        for _ in range(members):
            chosen = {
                self._popular_skill() for _ in range(min(15, 1 + int(self.rng.expovariate(1 / 5))))
            }
            for s in sorted(chosen):
                self._skill_ids.append(s)
                self._counts.append(min(255, 1 + int(self.rng.expovariate(1 / 1.5))))
            self._offsets.append(len(self._skill_ids))

    def member_id(self, i: int) -> str:
        """The id of the i-th member."""
        return f"U{i:07d}"

    def profiles(self) -> Iterator[tuple[str, dict[str, int]]]:
        """Every member's skills, as written, with evidence counts."""
        for i in range(self.members):
            lo, hi = self._offsets[i], self._offsets[i + 1]
            yield (
                self.member_id(i),
                {self.skills[self._skill_ids[j]]: self._counts[j] for j in range(lo, hi)},
            )

    def history(self, size: int, days: float = 180.0) -> Iterator[tuple[list[str], str, float]]:
        """Resolved needs: (helpers, text, when), a few very active helpers doing most."""
        rng = random.Random(f"history:{self.seed}:{size}")
        start = 1_700_000_000.0
        for k in range(size):
            # A Pareto pick: a few members give much of the help (the busiest about 2%).
            helpers = {self._helper(rng) for _ in range(2)}
            if rng.random() < 0.6:
                helpers = set(list(helpers)[:1])
            first = min(helpers)
            text = self._text(rng, first, typo=False)
            yield (
                [self.member_id(h) for h in sorted(helpers)],
                text,
                start + k * days * 86400 / size,
            )

    def needs(self, count: int) -> list[Need]:
        """Open needs, each about one to three skills of some member."""
        rng = random.Random(f"needs:{self.seed}:{count}")
        out = []
        for _ in range(count):
            helper = rng.randrange(self.members)
            typo = rng.random() < 0.25
            asker = self.member_id(rng.randrange(self.members))
            out.append(Need(asker, self._text(rng, helper, typo=typo), typo))
        return out

    def _helper(self, rng: random.Random) -> int:
        return min(self.members - 1, int((rng.paretovariate(1.0) - 1.0) * 50))

    def _popular_skill(self) -> int:
        x = self.rng.random() * self._cumulative[-1]
        return bisect.bisect_left(self._cumulative, x)

    def _vocabulary(self, n: int) -> list[str]:
        words: set[str] = set()
        while len(words) < n:
            words.add(
                "".join(self.rng.choice(SYLLABLES) for _ in range(self.rng.choice((2, 3, 3, 4))))
            )
        lexicon = sorted(words)
        self.rng.shuffle(lexicon)
        skills: list[str] = []
        seen: set[str] = set()
        for i, w in enumerate(lexicon):
            if i % 3 == 0:  # a third are multi-word skills
                extra = self.rng.sample(lexicon, self.rng.choice((1, 1, 2)))
                phrase = " ".join([w, *extra])
            else:
                phrase = w
            if self.rng.random() < 0.3:
                phrase = phrase.title()
            if phrase.casefold() not in seen:
                seen.add(phrase.casefold())
                skills.append(phrase)
        return skills

    def _text(self, rng: random.Random, member: int, *, typo: bool) -> str:
        lo, hi = self._offsets[member], self._offsets[member + 1]
        own = [self.skills[self._skill_ids[j]] for j in range(lo, hi)]
        mentioned = rng.sample(own, min(len(own), rng.choice((1, 1, 2, 3))))
        spelled = [_respell(rng, s) for s in mentioned]
        if typo:
            spelled[0] = _typo(rng, spelled[0])
        filler = rng.sample(FILLER, 8)
        parts = filler[:3] + spelled[:1] + filler[3:6] + spelled[1:] + filler[6:]
        return " ".join(parts)


def _respell(rng: random.Random, skill: str) -> str:
    """How people write a skill: dashed like a tag, plural, or lower case."""
    choice = rng.random()
    if choice < 0.2 and " " in skill:
        return skill.replace(" ", "-").lower()
    if choice < 0.35:
        return skill + "s"
    if choice < 0.6:
        return skill.lower()
    return skill


def _typo(rng: random.Random, text: str) -> str:
    """One edit (drop, double, swap) inside the longest word."""
    words = text.split(" ")
    i = max(range(len(words)), key=lambda k: len(words[k]))
    w = words[i]
    if len(w) < 6:
        return text
    j = rng.randrange(1, len(w) - 2)
    kind = rng.choice(("drop", "double", "swap"))
    if kind == "drop":
        w = w[:j] + w[j + 1 :]
    elif kind == "double":
        w = w[:j] + w[j] + w[j:]
    else:
        w = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
    words[i] = w
    return " ".join(words)
