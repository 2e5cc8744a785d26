"""Activity: recent help counts more, and the order of members never drifts with time."""

import pytest

from matching.activity import Activity

DAY = 86400.0


def test_half_life() -> None:
    """A help one half-life old counts half as much as one made now."""
    activity = Activity(half_life=10 * DAY)
    old = activity.weight(0.0)
    new = activity.weight(10 * DAY)
    assert old * activity.decay() == pytest.approx(0.5)
    assert new * activity.decay() == pytest.approx(1.0)
    assert activity.age_weight(0.0) == pytest.approx(0.5)


def test_order_is_kept_as_time_passes() -> None:
    """Stored values compare the same whatever happens later."""
    activity = Activity(half_life=7 * DAY)
    a = activity.weight(0.0) + activity.weight(1 * DAY)
    b = activity.weight(5 * DAY)
    before = Activity.prior(a, activity.decay()) > Activity.prior(b, activity.decay())
    activity.weight(400 * DAY)  # a year of other help later
    after = Activity.prior(a, activity.decay()) > Activity.prior(b, activity.decay())
    assert before is after is True
