"""`whuffie bench-e2e` fills a database with a synthetic community and reports every figure."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import select

from bot.bench import COMMUNITY, fill
from bot.models import ConnectorAsk, Member, Need, Referral
from bot.store import Store
from bot.usecases.stats import compute
from whuffie.cli import main


def test_bench_e2e_fills_a_community_and_reports_every_figure(
    database_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A tiny community: every command is answered and timed, and the figures add up."""
    code = main(
        [
            "bench-e2e",
            "--cache-dir",
            str(tmp_path / "cache"),
            "--members",
            "200",
            "--commands",
            "2",
            "--seconds",
            "0.5",
            "--database",
            database_url,
            "--json",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    report = json.loads(out.strip().splitlines()[-1])
    assert report["members"] == 200
    assert report["history"] == 40
    for figure in ("/need", "/needs", "/helpstats", "/offer", "tick_nothing_due"):
        assert report[figure]["median_ms"] > 0
    assert report["cold_start_to_first_need_s"] > 0
    assert report["background_work_done_s"] >= report["cold_start_to_first_need_s"]
    # Just filled: the first start builds the matcher, the restart loads what it kept.
    assert (report["matcher_builds"], report["matcher_loads"]) == (1, 0)
    assert report["restart_to_first_need_s"] > 0
    assert (report["restart_matcher_builds"], report["restart_matcher_loads"]) == (0, 1)
    assert report["rss_after_first_need_mb"] > 0
    assert report["whuffie_stats_json_s"] > 0
    # Another process's /offer is seen by this one's next /need, every time.
    assert report["new_skill_seen"] == "2/2"
    assert report["/need after an /offer elsewhere"]["median_ms"] > 0
    assert report["commands_per_s_1_process"] > 0
    assert report["commands_per_s_2_processes"] > 0
    assert report["cpu_ms_per_command_1_process"] > 0
    assert report["cpu_ms_per_command_2_processes"] > 0
    store = Store.connect(database_url)
    try:
        with store.session() as session:
            stats = compute(session, "bench:T1")
    finally:
        store.dispose()
    # Each member has 2–6 skills; the history is resolved needs, plus the ones just posted.
    assert stats.members_with_profile >= 200
    assert stats.needs_resolved == 40
    assert stats.needs_posted >= 43


def test_filling_again_replaces_a_community_whose_needs_were_referred(store: Store) -> None:
    """A benchmark run again on the same database: needs that went round connectors go too."""
    fill(store, 40)
    with store.session() as session:
        need = session.exec(select(Need).where(Need.community_id == COMMUNITY)).first()
        assert need is not None
        members = session.exec(select(Member).where(Member.community_id == COMMUNITY)).all()
        now = datetime.now(UTC)
        session.add(
            ConnectorAsk(
                community_id=COMMUNITY, need_id=need.id, member_id=members[0].id, created_at=now
            )
        )
        session.add(
            Referral(
                community_id=COMMUNITY,
                need_id=need.id,
                connector_id=members[0].id,
                member_id=members[1].id,
                created_at=now,
            )
        )
    fill(store, 40)
    with store.session() as session:
        assert not session.exec(select(ConnectorAsk)).all()
        assert len(session.exec(select(Member).where(Member.community_id == COMMUNITY)).all()) == 40


def test_a_rerun_without_filling_measures_what_the_first_run_did(
    database_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """`--no-fill` runs again on what the fill left, not on the asks and needs of a run before.

    Each freshness /need asks the member who just offered a skill nobody else has: a member
    still holding the asks of an earlier run (as many as one may) would never be asked.
    """
    command = ["bench-e2e", "--cache-dir", str(tmp_path / "cache"), "--members", "200"]
    command += ["--commands", "4", "--database", database_url, "--json"]
    reports = []
    for extra in ([], ["--no-fill"], ["--no-fill"]):
        code = main([*command, *extra])
        out = capsys.readouterr().out
        assert code == 0, out
        reports.append(json.loads(out.strip().splitlines()[-1]))
    for report in reports:
        assert report["new_skill_seen"] == "4/4"
        # Each run starts as the first did: the matcher is built from the filled community.
        assert (report["matcher_builds"], report["matcher_loads"]) == (1, 0)
    store = Store.connect(database_url)
    try:
        with store.session() as session:
            stats = compute(session, COMMUNITY)
    finally:
        store.dispose()
    # What the last run posted, on top of the filled history; nothing left from the first two.
    assert stats.needs_resolved == 40
    assert stats.needs_posted == reports[0]["history"] + reports[0]["open_needs"] + 4 + 4 + 2
