"""Choose whom to ask among relevant candidates, spreading asks fairly."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from matching.candidate import Candidate


@dataclass(frozen=True)
class Load:
    """How busy a member is with asks: open ones now, and when they were last asked."""

    open_asks: int = 0
    last_asked_at: float | None = None


def select(
    candidates: Sequence[Candidate],
    loads: Mapping[str, Load],
    *,
    k: int,
    max_open: int,
    tolerance: float = 0.2,
) -> list[Candidate]:
    """Pick up to `k` candidates, skipping full members and spreading asks fairly.

    Relevance decides first. Candidates whose scores are within `tolerance` (a share of the
    best score) of each other count as equally relevant; among them, members with fewer open
    asks, then those asked longest ago (or never), go first, so the top expert is not asked
    every time while a clearly better fit still is.
    """
    if k <= 0:
        return []
    free = [c for c in candidates if loads.get(c.member_id, Load()).open_asks < max_open]
    if not free:
        return []
    best = max(c.score for c in free)
    width = tolerance * best if best > 0 else 0.0

    def key(c: Candidate) -> tuple[int, int, float, float, str]:
        band = int((best - c.score) / width) if width > 0 else 0
        load = loads.get(c.member_id, Load())
        last = load.last_asked_at if load.last_asked_at is not None else float("-inf")
        return (band, load.open_asks, last, -c.score, c.member_id)

    return sorted(free, key=key)[:k]
