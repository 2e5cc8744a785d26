"""A small community with a known history, for the dashboard's tests and screenshots."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from bot import tallies
from bot.models import (
    NEED_INTRODUCED,
    NEED_OPEN,
    NEED_RESOLVED,
    NEED_UNMET,
    Community,
    Member,
    Need,
    Skill,
    Thanks,
)

COMMUNITY = "fake:T1"
OTHER = "fake:T2"
# Monday 2 March 2026, 09:00 UTC: the first week on the charts.
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NOW = START + timedelta(weeks=8, days=2)
NAMES = ["Ann", "Bob", "Cleo", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jun", "Kai", "Lea"]
# (week, hours to introduction, helper, requester, resolved): who helped whom, and when.
HELP = [
    (0, 2, "Ann", "Bob", True),
    (0, 5, "Ann", "Eli", True),
    (1, 1, "Bob", "Cleo", True),  # Ann → Bob → Cleo → Dev: a pay-it-forward chain of four
    (1, 30, "Ann", "Fay", False),
    (2, 3, "Cleo", "Dev", True),
    (2, 4, "Ann", "Gus", True),
    (3, 2, "Ann", "Hana", True),
    (3, 50, "Gus", "Ivo", False),
    (4, 1, "Ann", "Jun", True),
    (4, 6, "Eli", "Kai", True),
    (5, 2, "Ann", "Bob", True),
    (5, 3, "Kai", "Lea", True),
    (6, 8, "Hana", "Ann", True),
    (7, 2, "Ann", "Lea", False),
]
UNMET = [(1, "kubernetes", "Bob"), (3, "kubernetes", "Dev"), (6, "rust", "Fay")]
WAITING = [(7, "figma", "Ivo"), (8, "figma", "Jun")]


def seed(session: Session, community: str = COMMUNITY, shown: dict[str, str] | None = None) -> None:
    """The history above, in `community`; ids are the names in lower case, display names the
    names (or what `shown` says instead)."""
    shown = shown or {}
    session.add(Community(id=community, platform=community.split(":")[0], created_at=START))
    people = {
        n: Member(
            community_id=community,
            user_id=n.lower(),
            display_name=shown.get(n, n),
            created_at=START,
        )
        for n in NAMES
    }
    session.add_all(people.values())
    session.flush()
    for i, member in enumerate(people.values()):
        session.add(
            Skill(
                member_id=member.id,
                community_id=community,
                name=f"skill {i}",
                norm=f"skill {i}",
                created_at=START,
            )
        )
    for n, (week, hours, helper, requester, resolved) in enumerate(HELP):
        created = START + timedelta(weeks=week, hours=n)
        introduced = created + timedelta(hours=hours)
        session.add(
            Need(
                community_id=community,
                requester_id=people[requester].id,
                helper_id=people[helper].id,
                text=f"SECRETWORDS of need {n}",
                topic="python",
                status=NEED_RESOLVED if resolved else NEED_INTRODUCED,
                created_at=created,
                introduced_at=introduced,
                resolved_at=introduced + timedelta(days=1) if resolved else None,
            )
        )
    for week, topic, requester in UNMET:
        session.add(
            Need(
                community_id=community,
                requester_id=people[requester].id,
                text=f"SECRETWORDS unmet: {topic}",
                topic=topic,
                status=NEED_UNMET,
                nobody_offers=True,  # nobody in this community offers it
                created_at=START + timedelta(weeks=week),
            )
        )
    for week, topic, requester in WAITING:
        session.add(
            Need(
                community_id=community,
                requester_id=people[requester].id,
                text=f"SECRETWORDS waiting: {topic}",
                topic=topic,
                status=NEED_OPEN,
                created_at=START + timedelta(weeks=week),
            )
        )
    session.add(
        Thanks(
            community_id=community,
            from_member_id=people["Bob"].id,
            to_member_id=people["Ann"].id,
            text="SECRETWORDS thanks",
            created_at=START,
        )
    )
    session.flush()
    tallies.recount(session, community)  # a history written whole, as migrated
