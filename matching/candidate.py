"""What the matcher returns: a candidate, how strongly it fits, and why in plain words."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ReasonKind = Literal["exact", "alias", "fuzzy", "history"]


@dataclass(frozen=True)
class Reason:
    """Why a member fits: their skill (or past help), the words of the need it matched, and how."""

    skill: str
    matched: str
    kind: ReasonKind

    def describe(self) -> str:
        """The reason in words a member understands."""
        if self.kind == "history":
            return f"you helped with a similar need before ({self.matched})"
        if self.kind == "exact" or self.matched.casefold() == self.skill.casefold():
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
        """One sentence: every reason, joined the way a person would say it."""
        parts = [r.describe() for r in self.reasons]
        if not parts:
            return "you are one of the most active helpers here"
        if len(parts) == 1:
            return parts[0]
        return ", ".join(parts[:-1]) + " and " + parts[-1]
