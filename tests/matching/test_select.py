"""The fairness step: relevant members first, but not the same expert every time."""

from matching import Candidate, Load, select


def cands(*scores: float) -> list[Candidate]:
    """Candidates `c0`, `c1`, ... with these scores, best first."""
    return [Candidate(f"c{i}", s, ()) for i, s in enumerate(scores)]


def ids(chosen: list[Candidate]) -> list[str]:
    """The member ids, in order."""
    return [c.member_id for c in chosen]


def test_relevance_first_without_history() -> None:
    """With nobody asked yet, the most relevant go first."""
    assert ids(select(cands(5.0, 4.9, 2.0), {}, k=2, max_open=2)) == ["c0", "c1"]


def test_full_members_are_skipped() -> None:
    """A member at the open-ask limit is not asked again."""
    loads = {"c0": Load(open_asks=2, last_asked_at=10.0)}
    assert ids(select(cands(5.0, 4.0, 3.0), loads, k=2, max_open=2)) == ["c1", "c2"]


def test_near_equals_take_turns() -> None:
    """Among near-equally relevant members, the one asked longest ago (or never) goes first."""
    loads = {"c0": Load(0, last_asked_at=100.0), "c1": Load(0, last_asked_at=50.0)}
    assert ids(select(cands(5.0, 4.9, 4.8), loads, k=3, max_open=3)) == ["c2", "c1", "c0"]


def test_fewer_open_asks_first_among_equals() -> None:
    """A near-equal member already holding an ask waits for one who holds none."""
    loads = {"c0": Load(open_asks=1, last_asked_at=1.0)}
    assert ids(select(cands(5.0, 4.9), loads, k=1, max_open=3)) == ["c1"]


def test_clearly_better_fit_is_still_asked() -> None:
    """Fairness never hands a need to a much weaker fit."""
    loads = {"c0": Load(0, last_asked_at=1000.0)}
    assert ids(select(cands(10.0, 3.0), loads, k=1, max_open=3)) == ["c0"]


def test_nothing_to_pick() -> None:
    """No candidates, nobody free, or k = 0 all give an empty choice."""
    full = {"c0": Load(open_asks=1)}
    assert select([], {}, k=3, max_open=1) == []
    assert select(cands(1.0), full, k=3, max_open=1) == []
    assert select(cands(1.0), {}, k=0, max_open=1) == []
