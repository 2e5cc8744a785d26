"""How actively each member helps, with recent help counting more than old help.

Time here is the community's own clock: how many helps it has seen (see `Matcher`), so a
small community with a few needs a week forgets as slowly, in its own terms, as a busy one.
"""

from __future__ import annotations

import math

HALF_LIFE = 100.0  # a help 100 community helps ago counts half as much as the latest


class Activity:
    """Exponentially decayed help counts, stored so that their order never changes with time.

    Each help at clock `t` adds 2^((t - t0) / half-life) to the member's value, `t0` being the
    first help ever recorded. Comparing two members therefore needs no clock, and the value
    seen "now" is the stored one times 2^(-(now - t0) / half-life): one factor for everyone.
    Doubles hold this for centuries of history (the exponent stays far below 1023).
    """

    def __init__(self, half_life: float = HALF_LIFE) -> None:
        self.half_life = half_life
        self._t0: float | None = None
        self.now: float | None = None

    def weight(self, at: float) -> float:
        """The stored value one help at time `at` adds."""
        if self._t0 is None:
            self._t0 = at
        self.now = at if self.now is None else max(self.now, at)
        return math.pow(2.0, (at - self._t0) / self.half_life)

    def decay(self) -> float:
        """The factor that turns stored values into help counts as of the latest help."""
        if self._t0 is None or self.now is None:
            return 1.0
        return math.pow(2.0, -(self.now - self._t0) / self.half_life)

    def age_weight(self, at: float) -> float:
        """How much something that happened at `at` still counts as of the latest help."""
        if self.now is None:
            return 1.0
        return math.pow(2.0, -max(0.0, self.now - at) / self.half_life)

    @staticmethod
    def prior(stored: float, decay: float) -> float:
        """The activity part of a score: log(1 + recent help count)."""
        return math.log1p(stored * decay)
