"""The tables: everything is scoped by community, and who-helped-whom is kept as data."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, Text, UniqueConstraint, false, text
from sqlmodel import Field, SQLModel

# Status values are plain strings so both databases store them the same way.
NEED_OPEN = "open"  # asks are out, nobody has said yes yet
# Waiting: nobody (left) could take it. Listed in /needs for givers, and asked again when
# someone who fits offers the skill, comes back from a pause or has room for an ask.
NEED_UNMET = "unmet"
NEED_INTRODUCED = "introduced"
NEED_RESOLVED = "resolved"
NEED_CLOSED = "closed"  # the requester closed it while it waited
OPEN_NEED_STATUSES = (NEED_OPEN, NEED_UNMET, NEED_INTRODUCED)

ASK_PENDING = "pending"
ASK_ACCEPTED = "accepted"
ASK_DECLINED = "declined"
ASK_EXPIRED = "expired"
ASK_SUPERSEDED = "superseded"  # someone else said yes first, or the need was resolved
ASK_UNDELIVERABLE = "undeliverable"

# How an ask came about (`Ask.origin`).
ORIGIN_MATCH = "match"  # the matcher chose the member
ORIGIN_GIVE = "give"  # the member chose the need themselves (/give, or /needs' button)
ORIGIN_REFERRAL = "referral"  # someone who knows them thought of them (/refer)

OUT_PENDING = "pending"
OUT_SENDING = "sending"
OUT_SENT = "sent"
OUT_FAILED = "failed"
OUT_DEAD = "dead"  # given up after the last try: `whuffie stats` and the log show it

INDEX_ADD_SKILL = "offer"
INDEX_REMOVE_SKILL = "unoffer"
INDEX_HELP = "help"
INDEX_FORGET = "forget"  # a member left: every process rebuilds its matcher

# Buttons and typed commands name rows by id: on SQLite an id freed by a deletion (/forgetme)
# must never be handed out again, or an old button would act on someone else's row.
NEVER_REUSE_IDS = {"sqlite_autoincrement": True}

# Tables the migrations create for an adapter's SDK (its OAuth installation and state stores):
# the SDK describes and uses them, so the models leave them out and autogenerate keeps them.
SDK_TABLES = frozenset({"oauth_installations", "oauth_bots", "oauth_states"})


def described_by_models(obj: Any, name: str | None, kind: str, *_: Any) -> bool:
    """Alembic's `include_object`: the SDK's tables (and their indexes) are not the models'."""
    table = name if kind == "table" else getattr(getattr(obj, "table", None), "name", None)
    return table not in SDK_TABLES


class Community(SQLModel, table=True):
    """A Slack workspace, a Discord guild, or the console."""

    id: str = Field(primary_key=True, max_length=200)
    platform: str = Field(max_length=20)
    profile_version: int = 0  # bumped on every skill change, so other processes can reload
    # Made with the row: a matcher snapshot names the row it was built from, so a community
    # deleted and made again (or another database) is never served an old one's matcher.
    index_epoch: str = Field(default_factory=lambda: secrets.token_hex(8), max_length=32)
    # Members with at least one skill, kept by database triggers on `skill` (migration 0005),
    # so /helpstats reads one row instead of counting millions of skills.
    members_with_profile: int = 0
    created_at: datetime
    # The platform refused the bot itself here (uninstalled, token revoked): nothing is sent
    # to this community until it uses the bot again.
    inactive_since: datetime | None = None
    inactive_reason: str | None = Field(default=None, max_length=100)
    # Uninstalled: the community's data is kept until then (a reinstall finds it), then deleted.
    forget_after: datetime | None = Field(default=None, index=True)


class Member(SQLModel, table=True):
    """A member of one community, as the bot knows them: only what they told it."""

    __table_args__ = (
        UniqueConstraint("community_id", "user_id"),
        # Every /need leaves paused members out: only they are in this index, so finding
        # them never reads a million members who are not.
        Index(
            "ix_member_paused",
            "community_id",
            # Named too, so that SQLite, which keeps no statistics, prefers this index to
            # the others on community_id: it matches one more of the query's terms.
            "paused",
            postgresql_where=text("paused"),
            sqlite_where=text("paused = 1"),
        ),
        # /helpstats reads the helpers' tallies from this index alone, and the longest chain
        # from the other.
        Index(
            "ix_member_community_helps",
            "community_id",
            "helps_given",
            "favours_given",
            "first_helped_at",
            "last_helped_at",
        ),
        Index("ix_member_community_chain", "community_id", "chain"),
        NEVER_REUSE_IDS,
    )

    id: int = Field(default=None, primary_key=True)  # set by the database on flush
    community_id: str = Field(foreign_key="community.id", index=True, max_length=200)
    user_id: str = Field(max_length=200)
    display_name: str = Field(max_length=200)
    paused: bool = False
    # Indexed so the tick finds the pauses that ran out without reading every member.
    paused_until: datetime | None = Field(default=None, index=True)
    expired_streak: int = 0
    skill_count: int = 0  # kept by database triggers on `skill` (migration 0005)
    last_asked_at: datetime | None = None
    pending_thanks: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    forget_asked_at: datetime | None = None  # when /forgetme asked to confirm
    # "X helped you with … — a chance to return the favour": the member can turn it off.
    favour_lines: bool = Field(default=True, sa_column_kwargs={"server_default": "1"})
    # The member said "no more community check-ins" (/pulse off).
    pulse_off: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    created_at: datetime
    # Who helped whom, tallied as it happens (bot/tallies.py), so /helpstats reads the
    # helpers' rows from an index instead of every introduction.
    helps_given: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    favours_given: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    first_helped_at: datetime | None = None
    last_helped_at: datetime | None = None
    chain: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    chain_at: datetime | None = None
    chain_before: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class Skill(SQLModel, table=True):
    """One skill a member offered, as written and in canonical form."""

    __table_args__ = (
        UniqueConstraint("member_id", "norm"),
        NEVER_REUSE_IDS,
    )

    id: int = Field(default=None, primary_key=True)  # set by the database on flush
    member_id: int = Field(foreign_key="member.id", index=True)
    community_id: str = Field(foreign_key="community.id", index=True, max_length=200)
    name: str = Field(max_length=200)
    norm: str = Field(max_length=200)
    created_at: datetime


class Need(SQLModel, table=True):
    """Something a member asked for, and how it went: who helped, and when."""

    __table_args__ = (
        Index("ix_need_community_status", "community_id", "status"),
        # /helpstats reads who helped whom, and when, from these indexes alone.
        Index("ix_need_community_helper", "community_id", "helper_id", "introduced_at"),
        Index(
            "ix_need_community_requester",
            "community_id",
            "requester_id",
            "introduced_at",
            "helper_id",
        ),
        Index("ix_need_community_intro", "community_id", "micros_to_intro", "resolved_at"),
        # Only needs that ever waited: how long they waited before help came.
        Index(
            "ix_need_community_waited",
            "community_id",
            "first_waited_at",
            "introduced_at",
            postgresql_where=text("first_waited_at IS NOT NULL"),
            sqlite_where=text("first_waited_at IS NOT NULL"),
        ),
        NEVER_REUSE_IDS,
    )

    id: int = Field(default=None, primary_key=True)  # set by the database on flush
    community_id: str = Field(foreign_key="community.id", max_length=200)
    requester_id: int = Field(foreign_key="member.id", index=True)
    text: str = Field(sa_column=Column(Text, nullable=False))
    topic: str = Field(default="", max_length=200)
    status: str = Field(default=NEED_OPEN, max_length=20)
    helper_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    created_at: datetime
    introduced_at: datetime | None = None
    resolved_at: datetime | None = None
    followup_at: datetime | None = Field(default=None, index=True)
    followups_sent: int = 0
    # introduced_at - created_at in whole microseconds, kept by database triggers (migration
    # 0005): the median time to introduction is read in index order, not sorted each time.
    micros_to_intro: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    # Waiting (status unmet): since when this time, and since when at all (kept once it
    # finds help, for "how long needs waited"); whether nobody offers anything that fits;
    # and when the requester is next told honestly that it still waits.
    waiting_since: datetime | None = None
    first_waited_at: datetime | None = None
    nobody_offers: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})
    checkin_at: datetime | None = Field(default=None, index=True)


class Ask(SQLModel, table=True):
    """A private question to one member about one need: can you help?"""

    __table_args__ = (
        UniqueConstraint("need_id", "member_id"),
        Index("ix_ask_status_expires", "status", "expires_at"),
        NEVER_REUSE_IDS,
    )

    id: int = Field(default=None, primary_key=True)  # set by the database on flush
    need_id: int = Field(foreign_key="need.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    community_id: str = Field(foreign_key="community.id", max_length=200)
    # Why the matcher chose the member ([] for no reason but being active), as `reasons_of`
    # in bot/usecases/matchmaking.py reads it; None on asks made before reasons were kept as
    # data, whose `reason` says why in English, as told to the member asked.
    reasons: list[dict[str, Any]] | None = Field(
        default=None, sa_column=Column(JSON, nullable=True)
    )
    reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    origin: str = Field(
        default=ORIGIN_MATCH, max_length=20, sa_column_kwargs={"server_default": ORIGIN_MATCH}
    )
    status: str = Field(default=ASK_PENDING, max_length=20)
    created_at: datetime
    expires_at: datetime
    answered_at: datetime | None = None
    message_ref: str | None = Field(default=None, max_length=500)


class Thanks(SQLModel, table=True):
    """A private thank-you from one member to another, delivered and kept."""

    __table_args__ = (NEVER_REUSE_IDS,)

    id: int = Field(default=None, primary_key=True)  # set by the database on flush
    community_id: str = Field(foreign_key="community.id", index=True, max_length=200)
    from_member_id: int = Field(foreign_key="member.id", index=True)
    to_member_id: int = Field(foreign_key="member.id", index=True)
    need_id: int | None = Field(default=None, foreign_key="need.id")
    text: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime


class Outbox(SQLModel, table=True):
    """A message the bot owes someone, written in the same transaction as the change."""

    __table_args__ = (Index("ix_outbox_status_due", "status", "next_attempt_at"), NEVER_REUSE_IDS)

    id: int = Field(default=None, primary_key=True)  # set by the database on flush
    community_id: str = Field(foreign_key="community.id", max_length=200)
    kind: str = Field(max_length=10)  # "dm" or "update"
    recipients: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    member_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # Members the text names besides its recipients (an ask names the requester): /forgetme
    # finds them by key.
    about_member_ids: list[int] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]")
    )
    text: str = Field(sa_column=Column(Text, nullable=False))
    buttons: list[dict[str, str]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    ask_id: int | None = Field(default=None, foreign_key="ask.id")  # whose message ref to keep
    target_ask_id: int | None = Field(default=None, foreign_key="ask.id")  # the ask to update
    # The message to edit when its ask is gone (a forgotten member's need).
    target_ref: str | None = Field(default=None, max_length=500)
    status: str = Field(default=OUT_PENDING, max_length=10)
    attempts: int = 0
    next_attempt_at: datetime
    claimed_at: datetime | None = None
    claimed_by: str | None = Field(default=None, max_length=40)  # the claim that may finish it
    created_at: datetime
    sent_at: datetime | None = None
    last_error: str | None = Field(default=None, max_length=500)


class SeenRequest(SQLModel, table=True):
    """A platform request already handled, kept while a replay of it could still be accepted.

    The key is the platform's proof of one delivery (a Slack signature): several processes
    on one database insert it, and only the first is told to do the work.
    """

    key: str = Field(primary_key=True, max_length=200)
    forget_at: datetime = Field(index=True)


class Secret(SQLModel, table=True):
    """A secret the bot made for itself (the dashboard links' key), shared by its processes."""

    name: str = Field(primary_key=True, max_length=50)
    value: str = Field(max_length=200)
    created_at: datetime


# Connector asks: whether a connector knows someone, and how they answered.
CONNECTOR_PENDING = "pending"
CONNECTOR_SUGGESTING = "suggesting"  # "I'll suggest someone"
CONNECTOR_NOBODY = "nobody"  # "I don't know anyone"


class Referral(SQLModel, table=True):
    """A member thought of someone for a need: who referred whom, for which need, and when."""

    __table_args__ = (
        UniqueConstraint("need_id", "member_id"),
        Index("ix_referral_community_connector", "community_id", "connector_id"),
        NEVER_REUSE_IDS,
    )

    id: int = Field(default=None, primary_key=True)  # set by the database on flush
    community_id: str = Field(foreign_key="community.id", max_length=200)
    need_id: int = Field(foreign_key="need.id", index=True)
    connector_id: int = Field(foreign_key="member.id", index=True)  # who thought of them
    member_id: int = Field(foreign_key="member.id", index=True)  # who was thought of
    ask_id: int | None = Field(default=None, foreign_key="ask.id")
    created_at: datetime


class ConnectorAsk(SQLModel, table=True):
    """A well-connected member asked whether they know someone who could help with a need."""

    __table_args__ = (UniqueConstraint("need_id", "member_id"), NEVER_REUSE_IDS)

    id: int = Field(default=None, primary_key=True)  # set by the database on flush
    community_id: str = Field(foreign_key="community.id", max_length=200)
    need_id: int = Field(foreign_key="need.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    status: str = Field(default=CONNECTOR_PENDING, max_length=20)
    created_at: datetime
    answered_at: datetime | None = None


class Pulse(SQLModel, table=True):
    """A community check-in an admin started: who was asked, and when the summary is due."""

    __table_args__ = (
        Index("ix_pulse_community_started", "community_id", "started_at"),
        NEVER_REUSE_IDS,
    )

    id: int = Field(default=None, primary_key=True)  # set by the database on flush
    community_id: str = Field(foreign_key="community.id", max_length=200)
    admin_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    recipients: int = 0
    started_at: datetime
    summary_at: datetime = Field(index=True)
    summary_sent_at: datetime | None = None


class PulseRecipient(SQLModel, table=True):
    """One member a pulse was sent to: their buttons answer this pulse, and only they may."""

    __table_args__ = (UniqueConstraint("pulse_id", "member_id"), NEVER_REUSE_IDS)

    id: int = Field(default=None, primary_key=True)  # set by the database on flush
    pulse_id: int = Field(foreign_key="pulse.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)


class PulseAnswer(SQLModel, table=True):
    """One answer to a pulse: a need posted, or skills offered, through the normal flow."""

    __table_args__ = (NEVER_REUSE_IDS,)

    id: int = Field(default=None, primary_key=True)  # set by the database on flush
    pulse_id: int = Field(foreign_key="pulse.id", index=True)
    community_id: str = Field(foreign_key="community.id", index=True, max_length=200)
    member_id: int = Field(foreign_key="member.id", index=True)
    kind: str = Field(max_length=10)  # "need" or "offer"
    need_id: int | None = Field(default=None, foreign_key="need.id")
    skills: int = 0  # skills newly added to the profile
    created_at: datetime


class NeedCount(SQLModel, table=True):
    """Running counts of a community's needs, kept by database triggers on `need` (0019).

    /helpstats adds up a community's rows instead of counting every need. On PostgreSQL each
    connection writes a row of its own (`shard`), so needs posted at once in several
    processes never wait for each other's count; SQLite keeps one row, shard 0.
    """

    __tablename__ = "need_count"

    community_id: str = Field(primary_key=True, max_length=200)
    shard: int = Field(primary_key=True)
    posted: int = Field(sa_column=Column(BigInteger, nullable=False))
    introduced: int = Field(sa_column=Column(BigInteger, nullable=False))
    resolved: int = Field(sa_column=Column(BigInteger, nullable=False))


class IndexChange(SQLModel, table=True):
    """One change to what a community's matcher holds, so other processes can follow it.

    `version` is the community's `profile_version` the change was made under: it is taken with
    the community row locked, so versions become visible in order and a process that applied
    up to version v reads exactly what is new with `version > v`. `forget` rows mean
    "rebuild": a forgotten member's words and the history of their needs leave with them.
    """

    __tablename__ = "index_change"
    __table_args__ = (Index("ix_index_change_community_version", "community_id", "version"),)

    id: int = Field(default=None, primary_key=True)
    community_id: str = Field(max_length=200)
    version: int
    kind: str = Field(max_length=10)  # INDEX_ADD_SKILL, INDEX_REMOVE_SKILL, INDEX_HELP, …
    member_id: int
    need_id: int | None = None  # for a help: the need resolved
    text: str = Field(default="", sa_column=Column(Text, nullable=False))
    at: float | None = None  # for a help: when, in epoch seconds
