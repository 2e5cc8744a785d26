"""Ranking: evidence, specificity, activity and past help decide who is asked first."""

from matching import Matcher, PastHelp, SkillMatch

DAY = 86400.0


def test_more_evidence_ranks_first() -> None:
    """Of two members offering the same skill, the one who helped with it more goes first."""
    matcher = Matcher()
    matcher.add_skill("once", "PostgreSQL", count=1)
    matcher.add_skill("often", "PostgreSQL", count=9)
    assert [c.member_id for c in matcher.match("postgres vacuum")] == ["often", "once"]


def test_specific_skill_beats_common_one() -> None:
    """A rare skill the need names says more than a skill everybody offers."""
    matcher = Matcher()
    for i in range(20):
        matcher.add_skill(f"dev{i}", "Python")
    matcher.add_skill("expert", "asyncio")
    matcher.add_skill("generalist", "Python", count=2)
    ranked = [c.member_id for c in matcher.match("python asyncio event loop is blocked")]
    assert ranked[0] == "expert"


def test_recent_helpers_rank_first() -> None:
    """Someone who helped last week goes before someone who helped the same amount last year."""
    matcher = Matcher()
    for member in ("veteran", "regular"):
        matcher.add_skill(member, "Docker")
    now = 400 * DAY
    for k in range(3):
        matcher.record_help("veteran", "docker compose networking", at=k * DAY)
        matcher.record_help("regular", "docker image size", at=now - k * DAY)
    assert [c.member_id for c in matcher.match("docker build cache")] == ["regular", "veteran"]


def test_past_help_on_similar_needs_counts() -> None:
    """A member who resolved needs worded like this one is found, and told why."""
    matcher = Matcher()
    matcher.add_skill("a", "gardening")
    matcher.add_skill("b", "gardening")
    matcher.record_help("b", "my tomato seedlings are wilting and yellow", at=0.0)
    matcher.record_help("a", "pruning an apple tree in winter", at=0.0)
    best = matcher.match("why are my tomato leaves yellow?")[0]
    assert best.member_id == "b"
    assert best.reasons == (PastHelp(("tomato", "yellow")),)


def test_exclude_and_limit() -> None:
    """The asker is never proposed, and no more than `limit` come back."""
    matcher = Matcher()
    for i in range(10):
        matcher.add_skill(f"m{i}", "Rust", count=i + 1)
    found = matcher.match("rust lifetimes", exclude={"m9"}, limit=3)
    assert [c.member_id for c in found] == ["m8", "m7", "m6"]


def test_no_reason_no_candidate() -> None:
    """A need nobody's skills or past help relate to reaches nobody."""
    matcher = Matcher()
    matcher.add_skill("m", "Kotlin")
    matcher.record_help("m", "kotlin coroutines", at=0.0)
    assert matcher.match("sourdough starter smells odd") == []


def test_explain_says_why() -> None:
    """`explain` answers for one member: the skills they wrote, the words that matched, how."""
    matcher = Matcher()
    matcher.add_skill("ann", "PostgreSQL")
    matcher.add_skill("ann", "Docker")
    matcher.add_skill("bob", "Figma")
    ann = matcher.explain("postgres inside docker is slow", "ann")
    assert ann is not None
    assert ann.reasons == (
        SkillMatch("Docker", "docker", "exact"),
        SkillMatch("PostgreSQL", "postgres", "alias"),
    )
    assert matcher.explain("postgres inside docker is slow", "bob") is None
    assert matcher.explain("postgres inside docker is slow", "nobody") is None


def test_explain_agrees_with_match() -> None:
    """A member's explained score is the score `match` gives them."""
    matcher = Matcher()
    matcher.add_skill("ann", "PostgreSQL", count=3)
    matcher.record_help("ann", "postgres replication lag", at=0.0)
    matcher.add_skill("bob", "PostgreSQL")
    need = "replication lag on postgres"
    assert {c.member_id: c for c in matcher.match(need)}["ann"] == matcher.explain(need, "ann")


def test_typo_reason_shows_what_was_written() -> None:
    """A typo match keeps which words it understood as the member's skill."""
    matcher = Matcher()
    matcher.add_skill("kim", "Kubernetes")
    (kim,) = matcher.match("kubernets ingress")
    assert kim.reasons == (SkillMatch("Kubernetes", "kubernets", "fuzzy"),)


def test_skills_as_written_and_removal() -> None:
    """Members see their skills as they wrote them; removed skills and members are gone."""
    matcher = Matcher()
    matcher.add_skill("ann", "PostgreSQL")
    matcher.add_skill("ann", "postgres")  # the same skill: more evidence, not a new entry
    matcher.add_skill("ann", "Pitch decks")
    assert matcher.skills_of("ann") == ["Pitch decks", "PostgreSQL"]
    matcher.remove_skill("ann", "pitch deck")
    assert matcher.skills_of("ann") == ["PostgreSQL"]
    assert matcher.match("pitch deck review") == []
    matcher.remove_member("ann")
    assert matcher.skills_of("ann") == []
    assert matcher.match("postgres") == []
    assert len(matcher) == 0


def test_forgotten_helper_loses_history_credit() -> None:
    """After `remove_member`, past help no longer points at them."""
    matcher = Matcher()
    matcher.record_help("gone", "tomato seedlings wilting", at=0.0)
    assert [c.member_id for c in matcher.match("tomato seedlings")] == ["gone"]
    matcher.remove_member("gone")
    assert matcher.match("tomato seedlings") == []


def test_bulk_loaders_equal_single_adds() -> None:
    """`add_member` and `add_members` give the same ranking as one `add_skill` at a time."""
    one, many, bulk = Matcher(), Matcher(), Matcher()
    profiles = {"ann": {"Rust": 3, "Go": 1}, "bob": {"rust": 1}, "cy": {"Go": 2}}
    for member, skills in profiles.items():
        for skill, count in skills.items():
            one.add_skill(member, skill, count)
        many.add_member(member, skills)
    bulk.add_members(profiles.items())
    need = "rust or golang for a cli"
    assert one.match(need) == many.match(need) == bulk.match(need)
    bulk.add_members([("bob", {"Rust": 5})])  # more evidence for a skill already loaded
    bulk.remove_skill("bob", "rust")
    assert [c.member_id for c in bulk.match("rust")] == ["ann"]
    listed = Matcher()
    listed.add_member("ann", ["Rust", "Go"])  # a plain list: one piece of evidence each
    assert listed.skills_of("ann") == ["Go", "Rust"]


def test_several_helpers_share_one_past_need() -> None:
    """`record_helps` credits every helper of a resolved need."""
    matcher = Matcher()
    matcher.record_helps(["ann", "bob"], "sourdough starter is too runny", at=0.0)
    found = {c.member_id for c in matcher.match("my sourdough starter")}
    assert found == {"ann", "bob"}


def test_a_quiet_community_does_not_forget_its_helpers() -> None:
    """A few helps a month: the member who helped five times two months ago still goes first."""
    matcher = Matcher()
    for member in ("veteran", "newcomer"):
        matcher.add_skill(member, "Docker")
    for k in range(5):
        matcher.record_help("veteran", f"docker question {k}", at=k * DAY)
    matcher.record_help("newcomer", "a docker volume question", at=60 * DAY)
    assert [c.member_id for c in matcher.match("docker build cache")] == ["veteran", "newcomer"]
