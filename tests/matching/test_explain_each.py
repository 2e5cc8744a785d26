"""Listing the needs one member could help with: the same fits as asking need by need."""

import pytest

from matching import Candidate, Matcher
from matching.semantic import shared_embedder

NEEDS = [
    "terraform modules keep drifting",
    "postgres vacuum runs slow every night",
    "baking sourdough bread at home",
    "my bread comes out flat and dense",
    "kubernetes pods and postgres replicas",
    "our rails app has n+1 queries everywhere",
    "can someone look at my CV before I apply?",
    "help with my taxes please, first year freelancing",
    "the vacuum of postgres is slow on big tables",
    "is this possible?",
    "",
]
MEMBERS = ["ann", "bob", "cat", "dan", "eve", "fay", "zed"]


def matcher(*, with_meaning: bool) -> Matcher:
    """Skills by words, by part and by meaning; help by words and by meaning."""
    m = Matcher(embedder=shared_embedder() if with_meaning else None)
    m.add_member("ann", ["terraform", "kubernetes"])
    m.add_member("cat", ["sourdough & baking"])
    m.add_member("dan", ["Ruby on Rails", "resume review"])
    m.add_member("eve", ["tax returns", "bookkeeping"])
    m.record_help("bob", "postgres vacuum too slow on big tables", at=1.0)
    m.record_help("cat", "sourdough starter died", at=2.0)
    m.record_help("ann", "terraform state locked", at=3.0)
    m.record_help("eve", "my bread comes out flat and dense", at=4.0)
    m.record_help("fay", "is it possible?", at=5.0)  # no word to search: alike in meaning only
    return m


Fits = list[Candidate | None]


def each_and_alone(m: Matcher, member: str) -> tuple[Fits, Fits]:
    """What `explain_each` says of every need, and `explain` of each alone."""
    each = list(m.explain_each(NEEDS, member))
    alone = [m.explain(text, member) for text in NEEDS]
    return each, alone


@pytest.mark.parametrize("with_meaning", [True, False])
def test_every_need_fits_as_explain_says(with_meaning: bool) -> None:
    """Each fit, with its score and its reasons, is what `explain` gives for that need."""
    m = matcher(with_meaning=with_meaning)
    for member in MEMBERS:
        each, alone = each_and_alone(m, member)
        assert each == alone, member


def test_each_kind_of_fit_is_found() -> None:
    """Skills by words and by meaning, help by words and by meaning each make a need fit."""
    m = matcher(with_meaning=True)
    fits = {member: [f is not None for f in m.explain_each(NEEDS, member)] for member in MEMBERS}

    assert fits["ann"][0]  # terraform, offered and helped with
    assert fits["bob"][1] and fits["bob"][8]  # never offered anything: helped with vacuuming
    assert fits["cat"][2]  # baking
    assert fits["dan"][5] and fits["dan"][6]  # rails by its part; a CV means a resume
    assert fits["eve"][3] and fits["eve"][7]  # helped with that very bread; taxes
    assert fits["fay"][9]  # helped with the same question in other words
    assert fits["zed"] == [False] * len(NEEDS)  # a member the matcher never saw


def test_a_change_between_two_lists_is_seen() -> None:
    """What was worked out for one list is not reused once skills or history changed."""
    m = matcher(with_meaning=True)
    assert list(m.explain_each(NEEDS, "zed")) == [None] * len(NEEDS)

    m.add_member("zed", ["postgres replication"])
    after_offer = list(m.explain_each(NEEDS, "zed"))
    assert after_offer[4] is not None
    assert after_offer == [m.explain(text, "zed") for text in NEEDS]

    m.record_help("zed", "terraform modules keep drifting", at=5.0)
    after_help = list(m.explain_each(NEEDS, "zed"))
    assert after_help[0] is not None
    assert after_help == [m.explain(text, "zed") for text in NEEDS]

    m.remove_member("zed")
    assert list(m.explain_each(NEEDS, "zed")) == [None] * len(NEEDS)
