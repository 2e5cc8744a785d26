"""Pure matching: profiles and need text in, a ranked, explained candidate list out.

Nothing here imports the rest of the project, a database or a chat library.
"""

from matching.candidate import Candidate, MatchKind, PastHelp, Reason, SkillMatch
from matching.index import Matcher, Weights
from matching.normalize import normalize
from matching.select import Load, select

__all__ = [
    "Candidate",
    "Load",
    "MatchKind",
    "Matcher",
    "PastHelp",
    "Reason",
    "SkillMatch",
    "Weights",
    "normalize",
    "select",
]
