"""Loading a community in bulk ranks exactly like recording it one change at a time."""

from matching import Matcher
from matching.synthetic import Community

NEEDS = [
    "postgres in docker is slow",
    "our k8s cluster and the react frontend",
    "python asyncio and json parsing",
    "pitch deck for my stakepool",
    "kubernets and postgress together",
]


def ranking(m: Matcher, text: str) -> list[tuple[str, float]]:
    """Who is proposed for a need, with their scores."""
    return [(c.member_id, c.score) for c in m.match(text, limit=50)]


def test_bulk_load_equals_one_change_at_a_time() -> None:
    """History then profile rows in bulk give the same ranking as each help and skill alone."""
    community = Community(300, skills=80, seed=5)
    profiles = list(community.profiles())
    history = [(helpers[0], text, at) for helpers, text, at in community.history(200)]
    history.sort(key=lambda h: h[2])

    one_by_one = Matcher()
    for member, skills in profiles:
        one_by_one.add_member(member, list(skills))
    for helper, text, at in history:
        one_by_one.record_help(helper, text, at=at)
    bulk = Matcher()
    bulk.load_history(history)
    bulk.add_skill_rows((member, skill) for member, skills in profiles for skill in skills)

    for text in NEEDS + [text for _, text, _ in history[:20]]:
        assert ranking(bulk, text) == ranking(one_by_one, text)
    for member, _ in profiles[:50]:
        assert bulk.skills_of(member) == one_by_one.skills_of(member)
