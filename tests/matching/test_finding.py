"""Need text to skills: aliases, typos, multi-word skills, tag spellings, no false friends."""

import pytest

from matching import Matcher


def offering(*skills: str) -> Matcher:
    """A matcher where member `m<i>` offers the i-th skill."""
    matcher = Matcher()
    for i, skill in enumerate(skills):
        matcher.add_skill(f"m{i}", skill)
    return matcher


def found(matcher: Matcher, need: str) -> set[str]:
    """The members a need reaches through their skills."""
    return {c.member_id for c in matcher.match(need)}


@pytest.mark.parametrize(
    ("skill", "need"),
    [
        ("Kubernetes", "our k8s cluster keeps evicting pods"),
        ("PostgreSQL", "slow postgres query on a big table"),
        ("JavaScript", "a js closure question"),
        ("PostgreSQL", "my postgress database is slow"),
        ("Kubernetes", "kubernets ingress returns 502"),
        ("Terraform", "terrafrom plan shows drift"),
        ("machine learning", "getting started with Machine-Learning"),
        ("quantum-gate", "how do quantum gates act on two qubits"),
        ("Neural Networks", "what is a neural network"),
        ("stake pool", "my stakepool missed a block"),
        ("smart-contract", "writing smart contracts in plutus"),
        ("sql server", "a deadlock in SQL Server"),
        ("Go", "a golang channel deadlock"),
    ],
)
def test_need_reaches_skill(skill: str, need: str) -> None:
    """Aliases, typos, plurals, dashes and joined spellings all reach the member."""
    assert found(offering(skill, "gardening"), need) == {"m0"}


@pytest.mark.parametrize(
    ("skill", "need"),
    [
        ("js", "parsing json in python"),
        ("go", "where do I go from here with this design"),
        ("ai", "a training plan for marathon runners"),
        ("R", "bar charts are confusing"),
        ("Scala", "how do we scale this service"),
        ("java", "javascript promises"),
        ("quantum gate", "a gate in front of the house"),
    ],
)
def test_false_friends_do_not_match(skill: str, need: str) -> None:
    """Short skills match only as whole words, and look-alike words are not typos."""
    assert found(offering(skill), need) == set()


def test_two_letter_skill_matches_as_a_whole_word() -> None:
    """`js` is found as a word of its own, never inside another one."""
    matcher = offering("js")
    assert found(matcher, "help with JS bundling") == {"m0"}
    assert found(matcher, "help with jsx and jsonp") == set()


def test_multi_word_skill_is_preferred_to_its_parts() -> None:
    """A need about deep learning reaches the deep learning member before a generalist."""
    matcher = offering("deep learning", "learning")
    ranked = [c.member_id for c in matcher.match("a deep learning model overfits")]
    assert ranked == ["m0"]


def test_words_of_past_needs_are_not_typos() -> None:
    """A word the community often writes is taken as itself, not as a misspelt skill."""
    matcher = offering("scalar")
    assert found(matcher, "the scalas of this map") == {"m0"}
    for _ in range(3):
        matcher.record_help("helper", "which scalas fit this map best", at=0.0)
    assert "m0" not in found(matcher, "the scalas of this map")


def test_topics_lists_known_skills_first() -> None:
    """Topics name the skills a need is about, spelled the way members write them."""
    matcher = offering("PostgreSQL", "Docker")
    assert matcher.topics("postgres in docker keeps crashing") == [
        "Docker",
        "PostgreSQL",
        "crashing",
    ]
    assert matcher.topics("bonsai pruning advice") == ["bonsai", "pruning", "advice"]
    assert matcher.topics("help with kubernetes upgrades") == ["kubernetes", "upgrades"]


@pytest.mark.parametrize(
    ("need", "reached"),
    [
        ("go generics help", True),
        ("help with go modules", True),
        ("learning Go this month", True),
        ("I want to go to the gym", False),
        ("lets go hiking", False),
        ("where do we go from here", False),
    ],
)
def test_go_is_the_language_only_where_it_names_it(need: str, reached: bool) -> None:
    """`go` names the skill in "go generics", and stays a verb in "want to go to the gym"."""
    assert (found(offering("go"), need) == {"m0"}) is reached
