"""What the matcher returns: a candidate, how strongly it fits, and why in plain words."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ReasonKind = Literal["exact", "alias", "fuzzy", "part", "semantic", "history"]


@dataclass(frozen=True)
class Reason:
    """Why a member fits: their skill (or past help), the words of the need it matched, and how."""

    skill: str
    matched: str
    kind: ReasonKind

    def describe(self) -> str:
        """The reason in words a member understands."""
        if self.kind == "history":
            shared = f" ({self.matched})" if self.matched else ""
            return f"you helped with a similar need before{shared}"
        if self.kind == "semantic":
            about = f" about '{self.matched}'" if self.matched else ""
            return f"the need{about} sounds like your '{self.skill}'"
        return f"you offered {self.skill_phrase()}"

    def skill_phrase(self) -> str:
        """The skill as the member wrote it, with the need's words when they differ."""
        if self.kind == "exact" or self.matched.casefold() == self.skill.casefold():
            return f"'{self.skill}'"
        return f"'{self.skill}' (~ '{self.matched}')"


@dataclass(frozen=True)
class Candidate:
    """A member who could help, how strongly, and why."""

    member_id: str
    score: float
    reasons: tuple[Reason, ...]

    @property
    def explanation(self) -> str:
        """One sentence: the skills that matched, then any similar past help."""
        skills = [r.skill_phrase() for r in self.reasons if r.kind not in _OTHER]
        others = [r.describe() for r in self.reasons if r.kind in _OTHER]
        parts = [f"you offered {_and(skills)}"] if skills else []
        parts += others
        return _and(parts) if parts else "you are one of the most active helpers here"


_OTHER = ("semantic", "history")  # reasons that are not a skill the need names


def _and(items: list[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
