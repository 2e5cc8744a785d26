"""Pure matching: profiles and need text in, a ranked, explained candidate list out.

Nothing here imports the rest of the project, a database or a chat library.
"""

from matching.candidate import Candidate, Reason
from matching.index import Matcher, Weights
from matching.normalize import normalize
from matching.select import Load, select

__all__ = ["Candidate", "Load", "Matcher", "Reason", "Weights", "normalize", "select"]
