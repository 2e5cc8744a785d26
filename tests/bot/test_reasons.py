"""Why a member is asked, kept as data and worded for each reader: the helper, then both sides."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import MetaData, insert
from sqlmodel import col, select

from bot import texts
from bot.models import Ask
from bot.store import Store
from bot.usecases.matchmaking import reasons_of
from matching import PastHelp, Reason, SkillMatch
from tests.bot.conftest import ask_id
from tests.fakes import COMMUNITY, Community

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


async def test_the_introduction_tells_both_sides_why_from_the_reasons_kept(
    community: Community, store: Store
) -> None:
    """The helper reads "you offered"; the introduction, from the same data, "they offered"."""
    await community.say("alice", "offer", "PostgreSQL, python")
    await community.say("bob", "need", "my python script is slow")
    ask = community.port.last_to("alice")
    assert "I thought of you because you offered 'python'." in ask.text
    with store.session() as session:
        [kept] = session.exec(select(Ask)).all()
        assert kept.reasons is not None and kept.reason == ""
        assert reasons_of(kept.reasons) == [SkillMatch("python", "python", "exact")]
    await community.say("alice", "accept", ask_id(community, "alice"))
    intro = community.port.sent[-1].message.text
    assert "Why <@alice>: they offered 'python'." in intro


async def test_a_semantic_match_is_told_in_plain_words_to_each_reader(
    community: Community,
) -> None:
    """The ask names whose need sounds like which skill; the introduction tells the requester."""
    await community.say("elena", "offer", "resume review, interview prep")
    await community.say("bob", "need", "can someone look at my CV before I apply?")
    ask = community.port.last_to("elena")
    assert "because <@bob>'s need about 'CV' sounds like your 'resume review'" in ask.text
    await community.say("elena", "accept", ask_id(community, "elena"))
    intro = community.port.sent[-1].message.text
    assert "Why <@elena>: your need about 'CV' sounds like their 'resume review'" in intro


async def test_a_give_is_introduced_as_the_helper_offering(community: Community) -> None:
    """A need taken from /needs is introduced as the helper offering to help."""
    await community.say("bob", "need", "someone to water my plants")
    await community.say("alice", "give", "1")
    intro = community.port.sent[-1].message.text
    assert "Why <@alice>: they offered to help from the open needs." in intro


def test_members_words_are_never_reworded() -> None:
    """Only the bot's own words change with the reader; a skill saying "you" stays as written."""
    reasons: list[Reason] = [
        SkillMatch("what you offered at meetups", "meetups", "part"),
        PastHelp(("tomato",)),
    ]
    assert texts.why_them(reasons) == (
        "they offered 'what you offered at meetups' (~ 'meetups') and they helped with a "
        "similar need before ('tomato')"
    )
    assert texts.why_you([]) == "you are one of the most active helpers here"
    assert texts.why_them([]) == "they are one of the most active helpers here"


def _seed(store: Store, rows: list[tuple[str, dict[str, Any]]]) -> None:
    tables = MetaData()
    tables.reflect(store.engine)
    with store.engine.begin() as conn:
        for name, row in rows:
            conn.execute(insert(tables.tables[name]).values(**row))


async def test_asks_from_before_reasons_were_data_keep_their_words(database_url: str) -> None:
    """An ask stored with an English reason is introduced in it; an old give stays a give."""
    store = Store.connect(database_url)
    try:
        store.upgrade("0013")
        member = {"community_id": COMMUNITY, "paused": False, "expired_streak": 0}
        need = {
            "community_id": COMMUNITY,
            "requester_id": 2,
            "created_at": NOW,
            "followups_sent": 0,
        }
        ask = {"community_id": COMMUNITY, "member_id": 1, "created_at": NOW}
        _seed(
            store,
            [
                (
                    "community",
                    {"id": COMMUNITY, "platform": "fake", "profile_version": 0, "created_at": NOW},
                ),
                ("member", member | {"user_id": "ann", "display_name": "Ann", "created_at": NOW}),
                ("member", member | {"user_id": "bob", "display_name": "Bob", "created_at": NOW}),
                ("need", need | {"text": "python help", "topic": "python", "status": "open"}),
                ("need", need | {"text": "plants", "topic": "plants", "status": "open"}),
                (
                    "ask",
                    ask
                    | {
                        "need_id": 1,
                        "reason": "you offered 'python'",
                        "status": "pending",
                        "expires_at": NOW + timedelta(days=2),
                    },
                ),
                (
                    "ask",
                    ask
                    | {
                        "need_id": 2,
                        "reason": "you offered to help from the open needs",
                        "status": "pending",
                        "expires_at": NOW + timedelta(days=2),
                    },
                ),
            ],
        )
        store.upgrade()
        with store.session() as session:
            asks = session.exec(select(Ask).order_by(col(Ask.id))).all()
            assert [(a.origin, a.reasons) for a in asks] == [("match", None), ("give", None)]
        community = Community(store)
        await community.say("ann", "accept", "1")
        intro = community.port.sent[-1].message.text
        assert "Why <@ann>: they offered 'python'." in intro
    finally:
        store.dispose()
