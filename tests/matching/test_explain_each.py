"""Listing the needs one member could help with: the same fits as asking need by need."""

from matching import Matcher

NEEDS = [
    "terraform modules keep drifting",
    "postgres vacuum runs slow every night",
    "baking sourdough bread at home",
    "kubernetes pods and postgres replicas",
]


def matcher() -> Matcher:
    """Ann offers terraform; Bob offers nothing but helped with postgres vacuuming before."""
    m = Matcher()
    m.add_member("ann", ["terraform", "kubernetes"])
    m.add_member("cat", ["bread"])
    m.record_help("bob", "postgres vacuum too slow on big tables", at=1.0)
    m.record_help("cat", "sourdough starter died", at=2.0)
    m.record_help("ann", "terraform state locked", at=3.0)
    return m


def test_skills_fit_as_explain_says() -> None:
    """A need fits by a skill exactly when `explain` says so, with the same reasons."""
    m = matcher()
    for member in ("ann", "cat"):
        each = list(m.explain_each(NEEDS, member))
        for text, fit in zip(NEEDS, each, strict=True):
            alone = m.explain(text, member)
            skills = [r for r in alone.reasons if r.kind != "history"] if alone else []
            assert [r for r in fit.reasons if r.kind != "history"] == skills if fit else not skills


def test_a_need_like_those_they_helped_with_fits() -> None:
    """Bob offered nothing, but the needs worded like the one he helped with are his."""
    m = matcher()
    fits = list(m.explain_each(NEEDS, "bob"))

    assert [f is not None for f in fits] == [m.explain(t, "bob") is not None for t in NEEDS]
    assert [f is not None for f in fits][:3] == [False, True, False]
    assert fits[1] is not None
    history = [r for r in fits[1].reasons if r.kind == "history"]
    assert history and "vacuum" in history[0].matched


def test_nobody_known_fits_nothing() -> None:
    """A member the matcher never saw fits no need."""
    assert list(Matcher().explain_each(NEEDS, "zed")) == [None] * len(NEEDS)
