"""Waiting needs: a need nobody could take waits, is asked again when someone who fits is
free, and its requester is told honestly after a while (on SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alembic import command
from sqlalchemy import text

from bot.models import NEED_CLOSED, NEED_OPEN, NEED_UNMET, Member, Need
from bot.settings import Settings
from bot.store import Store, alembic_config
from tests.bot.conftest import ask_id
from tests.fakes import Community


def asks_to(community: Community, user: str) -> list[str]:
    """The texts of the asks (messages with an accept button) DM'd to a member."""
    return [
        m.text for m in community.port.to(user) if any(b.command == "accept" for b in m.buttons)
    ]


def status(store: Store, need_id: int) -> str:
    """A need's status as the database holds it."""
    with store.session() as session:
        need = session.get(Need, need_id)
        assert need is not None
        return need.status


async def test_a_waiting_need_is_asked_when_someone_offers_the_skill(
    community: Community, store: Store
) -> None:
    """bob's need finds nobody; ann offers kubernetes later and is asked at once."""
    await community.say("cat", "offer", "figma")
    posted = await community.say("bob", "need", "help with kubernetes upgrades")
    assert "Your need waits" in posted.text and "14 days" in posted.text
    assert status(store, 1) == NEED_UNMET
    offered = await community.say("ann", "offer", "kubernetes")
    assert "a need that was waiting for someone like you" in offered.text
    [ask] = asks_to(community, "ann")
    assert "kubernetes upgrades" in ask and "<@bob> could use a hand" in ask
    assert status(store, 1) == NEED_OPEN
    await community.say("ann", "accept", ask_id(community, "ann"))
    intro = community.port.sent[-1]
    assert set(intro.to) == {"bob", "ann"}
    assert not asks_to(community, "cat")


async def test_a_waiting_need_is_asked_when_the_member_resumes(community: Community) -> None:
    """ann is paused when bob needs rust; /resume brings his waiting need to her."""
    await community.say("ann", "offer", "rust")
    await community.say("ann", "pause")
    posted = await community.say("bob", "need", "a rust lifetimes question")
    assert "Your need waits" in posted.text
    assert not asks_to(community, "ann")
    resumed = await community.say("ann", "resume")
    assert "Welcome back" in resumed.text and "sent it to you privately" in resumed.text
    [ask] = asks_to(community, "ann")
    assert "rust lifetimes" in ask


async def test_a_waiting_need_is_asked_when_a_pause_runs_out(community: Community) -> None:
    """A pause of some days ends by itself at a tick, and the waiting need is asked then."""
    await community.say("ann", "offer", "rust")
    await community.say("ann", "pause", "3")
    await community.say("bob", "need", "a rust lifetimes question")
    community.clock.advance(timedelta(days=1))
    await community.core.tick()
    assert not asks_to(community, "ann")
    community.clock.advance(timedelta(days=3))
    await community.core.tick()
    [ask] = asks_to(community, "ann")
    assert "rust lifetimes" in ask


async def test_a_waiting_need_is_asked_when_the_helper_frees_up(store: Store) -> None:
    """ann holds as many asks as she may; answering one leaves room for dave's waiting need."""
    community = Community(store, Settings(max_open_asks=1))
    await community.say("ann", "offer", "python")
    await community.say("carol", "need", "help with a python script")
    posted = await community.say("dave", "need", "python packaging trouble")
    assert "Your need waits" in posted.text
    assert len(asks_to(community, "ann")) == 1
    await community.say("ann", "accept", ask_id(community, "ann"))
    asks = asks_to(community, "ann")
    assert len(asks) == 2 and "python packaging" in asks[1]


async def test_a_waiting_need_is_asked_when_the_helper_declines_another(store: Store) -> None:
    """'Not this time' on one ask frees ann up for the need that was waiting for her."""
    community = Community(store, Settings(max_open_asks=1))
    await community.say("ann", "offer", "python")
    await community.say("carol", "need", "help with a python script")
    await community.say("dave", "need", "python packaging trouble")
    await community.say("ann", "decline", ask_id(community, "ann"))
    asks = asks_to(community, "ann")
    assert len(asks) == 2 and "python packaging" in asks[1]


async def test_who_said_no_is_not_asked_again_but_a_newcomer_is(store: Store) -> None:
    """Everyone declined: the need waits; a later offer reaches the newcomer, not the decliner."""
    community = Community(store, Settings(asks_at_once=1))
    await community.say("ann", "offer", "python")
    await community.say("bob", "need", "a python packaging question")
    await community.say("ann", "decline", ask_id(community, "ann"))
    assert "Your need waits" in community.port.last_to("bob").text
    await community.say("ann", "offer", "python packaging")
    assert len(asks_to(community, "ann")) == 1, "a 'not this time' stands"
    await community.say("cat", "offer", "python")
    assert len(asks_to(community, "cat")) == 1


async def test_needs_shows_a_waiting_need_with_how_long_it_waited(
    community: Community,
) -> None:
    """Givers see waiting needs in /needs, marked as waiting, and can take them from there."""
    await community.say("bob", "need", "review my pitch deck")
    community.clock.advance(timedelta(days=5))
    await community.say("ann", "offer", "pitch decks")
    # ann was asked about it at once; cat, who offers it too, sees it in /needs.
    await community.say("ann", "pause")
    await community.say("ann", "decline", ask_id(community, "ann"))
    await community.say("cat", "pause")
    await community.say("cat", "offer", "pitch decks")
    listed = await community.say("cat", "needs")
    assert "review my pitch deck" in listed.text
    assert "waiting 5 days for someone" in listed.text
    assert [b.typed for b in listed.buttons] == ["/give 1"]


async def test_after_two_weeks_the_requester_is_told_and_keeps_it_open(
    community: Community, store: Store
) -> None:
    """14 days on, bob hears honestly how it stands; 'Keep it open' asks again 14 days later."""
    await community.say("bob", "need", "help with kubernetes upgrades")
    community.clock.advance(timedelta(days=13))
    await community.core.tick()
    assert len(community.port.to("bob")) == 0
    community.clock.advance(timedelta(days=1, minutes=1))
    await community.core.tick()
    [checkin] = community.port.to("bob")
    assert "has been waiting 14 days" in checkin.text
    assert "nobody here offers this yet" in checkin.text
    assert [b.typed for b in checkin.buttons] == ["/keep 1", "/close 1"]
    kept = await community.say("bob", "keep", "1")
    assert "stays open" in kept.text and "14 days" in kept.text
    community.clock.advance(timedelta(days=7))
    await community.core.tick()
    assert len(community.port.to("bob")) == 1, "told once, not nagged"
    community.clock.advance(timedelta(days=8))
    await community.core.tick()
    assert len(community.port.to("bob")) == 2
    assert "has been waiting 29 days" in community.port.last_to("bob").text
    assert status(store, 1) == NEED_UNMET


async def test_a_closed_waiting_need_is_never_asked_again(
    community: Community, store: Store
) -> None:
    """'Close it' ends the wait: no later offer asks about it, and /needs no longer lists it."""
    await community.say("bob", "need", "help with kubernetes upgrades")
    community.clock.advance(timedelta(days=15))
    await community.core.tick()
    closed = await community.say("bob", "close", "1")
    assert "Closed need #1" in closed.text
    assert status(store, 1) == NEED_CLOSED
    await community.say("ann", "offer", "kubernetes")
    assert not asks_to(community, "ann")
    assert "No open needs match" in (await community.say("ann", "needs")).text
    again = await community.say("bob", "close", "1")
    assert "isn't one of your open needs" in again.text
    assert "no open needs" in (await community.say("bob", "done")).text


async def test_checkin_says_when_busy_members_were_the_reason(store: Store) -> None:
    """A need that waited because its one helper was busy is not called a gap."""
    community = Community(store, Settings(max_open_asks=1))
    await community.say("ann", "offer", "python")
    await community.say("carol", "need", "help with a python script")
    await community.say("dave", "need", "python packaging trouble")
    community.clock.advance(timedelta(days=14, minutes=1))
    await community.core.tick()
    checkin = next(m for m in community.port.to("dave") if "has been waiting" in m.text)
    assert "the members who could help haven't been free" in checkin.text


async def test_keep_and_close_belong_to_the_requester(community: Community) -> None:
    """Someone else's /keep or /close changes nothing; a need being asked about stays open."""
    await community.say("bob", "need", "help with kubernetes upgrades")
    assert "isn't one of your open needs" in (await community.say("eve", "close", "1")).text
    assert "isn't one of your open needs" in (await community.say("eve", "keep", "1")).text
    assert "needs a number" in (await community.say("bob", "keep", "soon")).text
    await community.say("ann", "offer", "kubernetes")
    kept = await community.say("bob", "keep", "1")
    assert "asking someone about need #1 right now" in kept.text
    closed = await community.say("bob", "close", "1")
    assert "Closed need #1" in closed.text
    edited = [m.text for _, m in community.port.edits]
    assert any("has closed this need" in t for t in edited), "ann's ask loses its buttons"


async def test_an_offer_from_a_busy_member_ends_the_gap_but_asks_nothing(
    store: Store,
) -> None:
    """ann, full of asks, offers what a waiting need asks for: it is no unmet topic any more."""
    community = Community(store, Settings(max_open_asks=1))
    community.port.admins.add("admin")
    await community.say("ann", "offer", "python")
    await community.say("carol", "need", "help with a python script")
    await community.say("bob", "need", "help with kubernetes upgrades")
    assert "kubernetes" in (await community.say("admin", "helpstats")).text.split("Unmet")[1]
    await community.say("ann", "offer", "kubernetes")
    assert len(asks_to(community, "ann")) == 1
    unmet = (await community.say("admin", "helpstats")).text.split("Unmet topics")[1]
    assert unmet.startswith(" (nobody here offers them yet): none")


async def test_needs_left_unmet_before_the_upgrade_wait_with_a_check_in(
    database_url: str,
) -> None:
    """A need that found nobody under an older release waits since it was posted, and its
    requester hears 14 days after that; a member's favour notes start on."""
    fresh = Store.connect(database_url)
    try:
        command.upgrade(alembic_config(fresh.engine), "0008")
        posted = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
        with fresh.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO community (id, platform, profile_version, created_at, "
                    "members_with_profile) VALUES ('fake:T1', 'fake', 0, :at, 0)"
                ),
                {"at": posted},
            )
            conn.execute(
                text(
                    "INSERT INTO member (community_id, user_id, display_name, paused, "
                    "expired_streak, skill_count, created_at) "
                    "VALUES ('fake:T1', 'bob', 'Bob', false, 0, 0, :at)"
                ),
                {"at": posted},
            )
            conn.execute(
                text(
                    "INSERT INTO need (community_id, requester_id, text, topic, status, "
                    "created_at, followups_sent) VALUES ('fake:T1', 1, "
                    "'help with kubernetes upgrades', 'kubernetes', 'unmet', :at, 0)"
                ),
                {"at": posted},
            )
        fresh.upgrade()
        with fresh.session() as session:
            need = session.get(Need, 1)
            member = session.get(Member, 1)
            assert need is not None and member is not None
            assert need.checkin_at is not None
            assert need.checkin_at.replace(tzinfo=UTC) == posted + timedelta(days=14)
            assert member.favour_lines is True
        community = Community(fresh)
        community.clock.advance(timedelta(days=15))
        await community.core.tick()
        assert "Your need #1 has been waiting 15 days" in community.port.last_to("bob").text
    finally:
        fresh.dispose()
