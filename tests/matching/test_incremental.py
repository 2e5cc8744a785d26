"""An index changed step by step ranks exactly like one built from the final state."""

import random

from matching import Candidate, Matcher, Weights
from matching.synthetic import Community

SKILLS = [
    "PostgreSQL",
    "postgres",
    "Docker",
    "Kubernetes",
    "k8s",
    "React",
    "TypeScript",
    "Rust",
    "machine learning",
    "quantum-gate",
    "quantum gates",
    "stake pool",
    "Figma",
    "pitch decks",
    "SQL Server",
    "Go",
    "js",
    "JSON",
    "asyncio",
    "Python",
    "gardening",
    "tax returns",
]
NEEDS = [
    "postgres in docker is slow",
    "our k8s cluster and the react frontend",
    "python asyncio and json parsing",
    "quantum gate fidelity",
    "pitch deck for my stakepool",
    "kubernets and postgress together",
    "nothing anyone offers",
]
DAY = 86400.0


def ranking(matcher: Matcher) -> list[list[Candidate]]:
    """What every test need gets, with and without an excluded asker."""
    out = []
    for need in NEEDS:
        out.append(matcher.match(need, limit=50))
        out.append(matcher.match(need, exclude={"m3", "m7"}, limit=4))
    return out


def test_incremental_equals_rebuilt() -> None:
    """Adds, evidence, removals, forgotten members and past help, replayed or rebuilt, agree."""
    rng = random.Random(3)
    live = Matcher()
    profiles: dict[str, dict[str, int]] = {}
    helps: list[tuple[str, str, float]] = []
    for step in range(600):
        member = f"m{rng.randrange(30)}"
        action = rng.random()
        if action < 0.6:
            skill, count = rng.choice(SKILLS), rng.randint(1, 4)
            live.add_skill(member, skill, count)
            written = next((s for s in profiles.get(member, {}) if _same(s, skill)), skill)
            profiles.setdefault(member, {})[written] = (
                profiles.get(member, {}).get(written, 0) + count
            )
        elif action < 0.75 and profiles.get(member):
            skill = rng.choice(sorted(profiles[member]))
            live.remove_skill(member, skill)
            del profiles[member][skill]
        elif action < 0.78:
            live.remove_member(member)
            profiles.pop(member, None)
            helps = [h for h in helps if h[0] != member]
        else:
            text = rng.choice(NEEDS)
            live.record_help(member, text, at=step * DAY)
            helps.append((member, text, step * DAY))
    live.record_help("m0", NEEDS[0], at=10_000 * DAY)  # the latest help is by a member kept
    helps.append(("m0", NEEDS[0], 10_000 * DAY))

    rebuilt = Matcher()
    for member, text, at in helps:
        rebuilt.record_help(member, text, at=at)
    rebuilt.add_members((m, skills) for m, skills in sorted(profiles.items()) if skills)

    assert ranking(live) == ranking(rebuilt)
    for member in profiles:
        assert live.skills_of(member) == rebuilt.skills_of(member)


def _same(a: str, b: str) -> bool:
    from matching import normalize

    return normalize(a) == normalize(b)


def test_same_input_same_ranking() -> None:
    """Two matchers fed the same profiles in a different order rank identically."""
    community = Community(400, seed=11)
    profiles = list(community.profiles())
    forward, backward = Matcher(), Matcher()
    for member, skills in profiles:
        for skill, count in skills.items():
            forward.add_skill(member, skill, count)
    backward.add_members(reversed(profiles))
    for need in community.needs(40):
        assert forward.match(need.text) == backward.match(need.text)


def test_reading_popular_skills_lazily_loses_nobody() -> None:
    """Stopping early on long postings gives the same best members as scoring everyone."""
    community = Community(3000, seed=5)
    eager = Matcher(Weights(exhaustive=10**9))
    lazy = Matcher(Weights(exhaustive=8))
    for matcher in (eager, lazy):
        for helpers, text, at in community.history(300):
            matcher.record_helps(helpers, text, at)
        matcher.add_members(community.profiles())
    for need in community.needs(60):
        assert lazy.match(need.text, limit=10) == eager.match(need.text, limit=10)
