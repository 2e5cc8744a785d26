"""The memory of resolved needs: similar wording finds past helpers, oldest forgotten first."""

from matching.history import HistoryIndex


def test_similar_needs_best_first_with_shared_words() -> None:
    """The closest past need comes first, with the rare words it shares with the new one."""
    history = HistoryIndex()
    history.add([1], "tomato leaves turning yellow in july", at=0.0)
    history.add([2], "apple tree pruning in winter", at=0.0)
    history.add([3], "yellow paint for a garden fence", at=0.0)
    found = history.similar("why are my tomato leaves yellow", k=2, max_words=8, budget=100)
    assert [s.helpers for s in found] == [(1,), (3,)]
    assert set(found[0].shared) == {"tomato", "leave", "yellow"}


def test_history_keeps_only_the_most_recent_needs() -> None:
    """Past the history's capacity, the oldest resolved needs are forgotten first."""
    history = HistoryIndex(capacity=2)
    for i, text in enumerate(["tomato blight", "apple scab", "rose aphids"]):
        history.add([i], text, at=float(i))
    assert len(history) == 2
    assert history.similar("tomato blight", k=5, max_words=8, budget=100) == []
    (rose,) = history.similar("aphids on my rose", k=5, max_words=8, budget=100)
    assert rose.helpers == (2,)


def test_forgotten_helper_leaves_shared_needs_to_others() -> None:
    """A need two members resolved stays, credited to the one who is not forgotten."""
    history = HistoryIndex()
    history.add([1, 2], "sourdough starter too runny", at=0.0)
    history.add([1], "bagels too dense", at=0.0)
    history.remove_member(1)
    assert len(history) == 1
    (left,) = history.similar("runny sourdough", k=5, max_words=8, budget=100)
    assert left.helpers == (2,)
