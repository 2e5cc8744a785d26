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
) -> list[Candidate]:
    """Pick up to `k` candidates, skipping full members and preferring those asked less recently.

    Relevance decides first; among candidates of near-equal relevance (within 20% of each
    other) the one asked longest ago goes first, so the top expert is not asked every time.
    """
    free = [c for c in candidates if loads.get(c.member_id, Load()).open_asks < max_open]
    if not free:
        return []
    best = free[0].score or 1.0

    def key(c: Candidate) -> tuple[int, float, float, str]:
        band = int((best - c.score) / (0.2 * best)) if best > 0 else 0
        last = loads.get(c.member_id, Load()).last_asked_at
        return (band, last if last is not None else float("-inf"), -c.score, c.member_id)

    return sorted(free, key=key)[:k]
