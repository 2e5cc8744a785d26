"""The dashboard's figures on a known history: weeks, the help network, chains, waiting needs."""

from __future__ import annotations

from datetime import date

from bot.dashboard.figures import board, golden_rule
from bot.dashboard.page import network_csv, render, summary_csv, weeks_csv
from bot.store import Store
from tests.dashboard.history import COMMUNITY, NOW, seed


def test_figures_on_a_known_history(store: Store) -> None:
    """Each chart's numbers are the history's, week by week and member by member."""
    with store.session() as session:
        seed(session)
    with store.session() as session:
        b = board(session, COMMUNITY, NOW)
    assert [w.start for w in b.weeks][:2] == [date(2026, 3, 2), date(2026, 3, 9)]
    assert len(b.weeks) == 9
    assert [w.posted for w in b.weeks] == [2, 3, 2, 3, 2, 2, 2, 2, 1]
    assert [w.introduced for w in b.weeks] == [2, 2, 2, 2, 2, 2, 1, 1, 0]
    assert [w.resolved for w in b.weeks] == [2, 1, 2, 1, 2, 2, 1, 0, 0]
    assert [w.share_matched for w in b.weeks][:2] == [1.0, 2 / 3]
    assert b.weeks[1].median_hours == 15.5  # 1 h and 30 h
    assert b.weeks[3].slow_hours == 50
    ann = next(p for p in b.people if p.name == "Ann")
    assert (ann.given, ann.received, ann.reach, ann.connector) == (8, 1, 7, True)
    assert [p.name for p in b.people if p.connector] == ["Ann"]
    assert b.members_in_network == 12
    assert b.chain == ["Ann", "Bob", "Cleo", "Dev"]
    assert b.waiting == [("kubernetes", 2, 51), ("figma", 2, 9), ("rust", 1, 16)]
    assert b.stats.unmet_topics == [("kubernetes", 2), ("rust", 1)]
    assert b.helper_counts == [8, 1, 1, 1, 1, 1, 1]
    assert b.stats.pay_it_forward == 7


def test_the_page_and_downloads_hold_names_never_need_texts(store: Store) -> None:
    """What the page and its CSVs show: display names and topics, never a member's words."""
    with store.session() as session:
        seed(session)
        seed(session, "fake:T2", {"Ann": "<script>alert(1)</script>", "Bob": "=HYPERLINK(1)"})
    with store.session() as session:
        b = board(session, COMMUNITY, NOW)
        hostile = board(session, "fake:T2", NOW)
    html = render(b, COMMUNITY, NOW, NOW, "/dashboard/t")
    everything = html + weeks_csv(b) + summary_csv(b) + network_csv(b)
    assert "SECRETWORDS" not in everything
    assert "Ann → Bob → Cleo → Dev" in html
    assert "<script" not in html and "http" not in html
    assert weeks_csv(b).splitlines()[1] == "2026-03-02,2,2,2,1.0000,3.50,5.00"
    assert "Ann,Bob,2" in network_csv(b)
    assert "<script" not in render(hostile, "fake:T2", NOW, NOW, "/dashboard/t")
    assert "'=HYPERLINK(1)" in network_csv(hostile)


def test_an_empty_community_shows_friendly_empty_charts(store: Store) -> None:
    """A community with no needs yet gets a page that says so, not an error."""
    with store.session() as session:
        b = board(session, "fake:nobody", NOW)
    html = render(b, "fake:nobody", NOW, NOW, "/dashboard/t")
    assert "No needs posted yet." in html and "Nobody has been introduced yet." in html


def test_golden_rule_counts_show_where_the_stats_have_them() -> None:
    """Favours, referrals and waiting needs become tiles when the stats count them."""
    assert golden_rule({"favours_returned": 2, "referrals_made": 0, "thanks_given": 5}) == {
        "favours returned": 2,
        "referrals made by connectors": 0,
    }
    assert golden_rule({"pay_it_forward": 3}) == {}
