"""What the matcher returns: a candidate, how strongly it fits, and why, as data to be worded."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# How a skill fits a need: the need names it (`exact`), another name for it (`alias`, "k8s"),
# a typo of it (`fuzzy`), a telling part of a longer skill (`part`), or means it in other
# words (`semantic`).
MatchKind = Literal["exact", "alias", "fuzzy", "part", "semantic"]


@dataclass(frozen=True)
class SkillMatch:
    """One of the member's skills fits the need: the skill as they wrote it, and how.

    `matched` holds the need's words that matched it; for a `semantic` match, the need's word
    closest in meaning to the skill ("" when none stands out).
    """

    skill: str
    matched: str
    kind: MatchKind


@dataclass(frozen=True)
class PastHelp:
    """The member helped with a need like this one before.

    `shared` holds the words this need shares with the nearest one they helped with, none
    when the two are alike in meaning only.
    """

    shared: tuple[str, ...] = ()
    kind: Literal["history"] = "history"


Reason = SkillMatch | PastHelp


@dataclass(frozen=True)
class Candidate:
    """A member who could help, how strongly, and why: skills first, then any past help."""

    member_id: str
    score: float
    reasons: tuple[Reason, ...]
