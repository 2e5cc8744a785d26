"""The dashboard as one HTML page: figures as text, charts as inline SVG, no script at all."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from html import escape

from bot.dashboard import svg
from bot.dashboard.figures import Board
from bot.directory import guard_cell

STYLE = """
:root { color-scheme: light; --ink: #111827; --soft: #6b7280; --line: #e5e7eb; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--ink); background: #f9fafb; }
main { max-width: 1120px; margin: 0 auto; padding: 16px; }
h1 { font-size: 1.5rem; margin: 8px 0 4px; }
h2 { font-size: 1.05rem; margin: 0 0 8px; }
.sub, .note, figcaption { color: var(--soft); font-size: .9rem; }
.tiles { display: grid; gap: 10px; margin: 16px 0;
  grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); }
.tile { background: white; border: 1px solid var(--line); border-radius: 10px; padding: 10px 12px; }
.tile b { display: block; font-size: 1.45rem; }
.tile span { color: var(--soft); font-size: .85rem; }
.grid { display: grid; gap: 14px;
  grid-template-columns: repeat(auto-fit, minmax(min(100%, 460px), 1fr)); }
figure { margin: 0; background: white; border: 1px solid var(--line); border-radius: 10px;
  padding: 12px; min-width: 0; }
figure.wide { grid-column: 1 / -1; }
svg.chart { width: 100%; height: auto; display: block; }
svg.network { max-width: 760px; margin: 0 auto; }
svg text { font-family: inherit; }
svg .axis { font-size: 12px; fill: #6b7280; }
svg .legend { font-size: 12px; fill: #374151; }
svg .label { font-size: 13px; fill: #111827; }
svg .name { font-size: 13px; fill: #111827; font-weight: 600; paint-order: stroke;
  stroke: white; stroke-width: 3px; }
.empty { color: var(--soft); font-style: italic; padding: 18px 0; }
.chain { font-weight: 600; overflow-wrap: anywhere; }
ul.connectors { padding-left: 1.2em; margin: 6px 0 0; }
details { margin-top: 8px; font-size: .85rem; }
summary { cursor: pointer; color: #1d4ed8; }
table { border-collapse: collapse; width: 100%; margin-top: 6px; display: block; overflow-x: auto; }
th, td { text-align: right; padding: 3px 6px; border-bottom: 1px solid var(--line);
  white-space: nowrap; }
th:first-child, td:first-child { text-align: left; }
footer { margin: 20px 0 8px; font-size: .95rem; }
footer a { margin-right: 14px; }
@media (max-width: 520px) { main { padding: 10px; } .tile b { font-size: 1.25rem; } }
"""


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def _hours(value: float | None) -> str:
    if value is None:
        return "—"
    if value < 1:
        return f"{value * 60:.0f} min"
    return f"{value:.1f} h" if value < 48 else f"{value / 24:.1f} days"


def _tile(value: str, what: str) -> str:
    return f'<div class="tile"><b>{escape(value)}</b><span>{escape(what)}</span></div>'


def _figure(ident: str, title: str, body: str, caption: str = "", wide: bool = False) -> str:
    cls = ' class="wide"' if wide else ""
    note = f"<figcaption>{caption}</figcaption>" if caption else ""
    return f'<figure id="{ident}"{cls}><h2>{escape(title)}</h2>{body}{note}</figure>'


def _empty(text: str) -> str:
    return f'<p class="empty">{escape(text)}</p>'


def render(board: Board, community: str, now: datetime, expires: datetime, base: str) -> str:
    """The whole page for one community; `base` is the page's own path, for the downloads."""
    s = board.stats
    tiles = [
        _tile(str(s.members_with_profile), "members with a profile"),
        _tile(str(s.needs_posted), "needs posted"),
        _tile(str(s.needs_introduced), "introduced to a helper"),
        _tile(str(s.needs_resolved), "resolved"),
        _tile(_pct(s.share_matched), "share matched"),
        _tile(_hours(s.median_hours_to_intro), "median time to introduction"),
        _tile(_pct(s.busiest_tenth_share), "of help given by the busiest 10%"),
        _tile(str(s.pay_it_forward), "helped, then helped someone"),
        _tile(str(s.thanks_given), "thank-yous delivered"),
    ]
    tiles += [_tile(str(value), what) for what, value in board.extra.items()]
    labels = [w.start.strftime("%d %b") for w in board.weeks]
    figures = [_flow(board, labels), _matched(board, labels), _network(board)]
    figures += [_speed(board, labels), _concentration(board), _unmet(board), _waiting(board)]
    figures.append(_forward(board))
    downloads = " ".join(
        f'<a href="{escape(base)}/{name}.csv" download>{escape(what)} (CSV)</a>'
        for name, what in (
            ("weeks", "Weekly figures"),
            ("summary", "Summary"),
            ("network", "Who helped whom"),
        )
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer"><meta name="robots" content="noindex">'
        f"<title>How {escape(community)} helps itself · Whuffie</title>"
        f"<style>{STYLE}</style></head><body><main>"
        "<h1>How this community helps itself</h1>"
        f'<p class="sub">{escape(community)} · as of {now:%d %b %Y, %H:%M} UTC · this private '
        f"link works until {expires:%d %b %Y, %H:%M} UTC; please don't share it.</p>"
        f'<section class="tiles" aria-label="The figures">{"".join(tiles)}</section>'
        f'<section class="grid">{"".join(figures)}</section>'
        f"<footer>Download: {downloads}</footer></main></body></html>"
    )


def _flow(board: Board, labels: list[str]) -> str:
    if not board.weeks:
        return _figure("flow", "Needs each week", _empty("No needs posted yet."))
    chart = svg.line_chart(
        "Needs posted, introduced and resolved each week",
        labels,
        [
            svg.Series("posted", svg.GREY, [w.posted for w in board.weeks]),
            svg.Series("introduced", svg.BLUE, [w.introduced for w in board.weeks]),
            svg.Series("resolved", svg.GREEN, [w.resolved for w in board.weeks]),
        ],
    )
    return _figure(
        "flow",
        "Needs each week",
        chart + _week_table(board),
        "Counted by the week each thing happened.",
    )


def _week_table(board: Board) -> str:
    """The weeks' numbers as a table, folded away: for screen readers and for copying."""
    head = (
        "<tr><th>Week of</th><th>Posted</th><th>Introduced</th><th>Resolved</th>"
        "<th>Matched</th><th>Median</th><th>Slowest 10%</th></tr>"
    )
    rows = "".join(
        f"<tr><td>{w.start:%d %b %Y}</td><td>{w.posted}</td><td>{w.introduced}</td>"
        f"<td>{w.resolved}</td><td>{_pct(w.share_matched)}</td><td>{_hours(w.median_hours)}</td>"
        f"<td>{_hours(w.slow_hours)}</td></tr>"
        for w in reversed(board.weeks)
    )
    summary = "<summary>The numbers, week by week</summary>"
    return f"<details>{summary}<table>{head}{rows}</table></details>"


def _matched(board: Board, labels: list[str]) -> str:
    if not board.weeks:
        return _figure("matched", "Share matched", _empty("No needs posted yet."))
    chart = svg.line_chart(
        "Share of each week's needs that found a helper",
        labels,
        [
            svg.Series(
                "found a helper",
                svg.BLUE,
                [None if w.share_matched is None else w.share_matched * 100 for w in board.weeks],
            )
        ],
        unit="%",
    )
    return _figure(
        "matched",
        "Share matched",
        chart,
        "Of the needs posted each week, the share introduced to a helper so far.",
    )


def _speed(board: Board, labels: list[str]) -> str:
    if not any(w.median_hours is not None for w in board.weeks):
        return _figure("speed", "Time to introduction", _empty("No introductions yet."))
    chart = svg.line_chart(
        "Hours from need to introduction: the median and the slowest tenth",
        labels,
        [
            svg.Series("median", svg.BLUE, [w.median_hours for w in board.weeks]),
            svg.Series("slowest 10%", svg.AMBER, [w.slow_hours for w in board.weeks]),
        ],
        unit="h",
    )
    return _figure(
        "speed",
        "Time to introduction",
        chart,
        "Hours from a need to its introduction: the typical need, and where the slowest tenth "
        "begins.",
    )


def _network(board: Board) -> str:
    if not board.people:
        return _figure(
            "network", "Who helped whom", _empty("Nobody has been introduced yet."), wide=True
        )
    drawing = svg.network(
        f"Who helped whom: {len(board.people)} members, {len(board.links)} helping pairs",
        board.people,
        board.links,
    )
    connectors = [p for p in board.people if p.connector]
    listed = "".join(
        f"<li><b>{escape(p.name)}</b>: helped or was helped by {p.reach} different people</li>"
        for p in sorted(connectors, key=lambda p: -p.reach)
    )
    more = (
        f" The {len(board.people)} most involved of {board.members_in_network} members are drawn."
        if board.members_in_network > len(board.people)
        else ""
    )
    caption = (
        "An arrow runs from a helper to the member they helped; a bigger circle gave more help. "
        "<b>Connectors</b>, whose help reached the most different people, are pink."
        f"{escape(more)}"
    )
    if listed:
        caption += f'<ul class="connectors">{listed}</ul>'
    return _figure("network", "Who helped whom", drawing, caption, wide=True)


def _unmet(board: Board) -> str:
    topics = board.stats.unmet_topics
    if not topics:
        return _figure("unmet", "Unmet topics", _empty("None: someone offers every topic."))
    chart = svg.bars(
        "Topics of waiting needs that nobody here offers",
        [(topic, n, f"{n} need{'s' * (n != 1)}") for topic, n in topics],
        svg.PINK,
    )
    return _figure("unmet", "Unmet topics", chart, "Waiting needs nobody here offers, by topic.")


def _waiting(board: Board) -> str:
    if not board.waiting:
        return _figure("waiting", "Waiting needs", _empty("No need is waiting for a helper."))
    chart = svg.bars(
        "Needs still waiting for a helper, by topic",
        [
            (topic, n, f"{n} waiting, longest {days} day{'s' * (days != 1)}")
            for topic, n, days in board.waiting
        ],
        svg.AMBER,
    )
    return _figure(
        "waiting", "Waiting needs", chart, "Needs with no helper yet, by topic, and how long."
    )


def _concentration(board: Board) -> str:
    if not board.helper_counts:
        return _figure("concentration", "Who carries the help", _empty("Nobody has helped yet."))
    share = _pct(board.stats.busiest_tenth_share)
    chart = svg.concentration("Introductions per helper, busiest first", board.helper_counts)
    return _figure(
        "concentration",
        "Who carries the help",
        f'<p class="note">The busiest 10% of helpers gave <b>{share}</b> of the help, '
        f"among {len(board.helper_counts)} helpers.</p>{chart}",
        "A few tired people carrying everything is worth a thank-you and a nudge to others.",
    )


def _forward(board: Board) -> str:
    s = board.stats
    if board.chain:
        chain = " → ".join(escape(name) for name in board.chain)
        body = (
            f'<p>The longest chain, each helped before helping the next:</p><p class="chain">'
            f"{chain}</p>"
        )
    else:
        body = _empty("No chain yet: when someone who was helped helps another, it starts.")
    body += f'<p class="note">{s.pay_it_forward} member(s) were helped and later helped someone.'
    body += f" {s.thanks_given} thank-you(s) delivered.</p>"
    return _figure("forward", "Pay it forward", body, wide=True)


def weeks_csv(board: Board) -> str:
    """The weekly figures, one row a week."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "week_start",
            "needs_posted",
            "needs_introduced",
            "needs_resolved",
            "share_matched",
            "median_hours_to_intro",
            "slowest_tenth_hours_to_intro",
        ]
    )
    for w in board.weeks:
        writer.writerow(
            [
                w.start.isoformat(),
                w.posted,
                w.introduced,
                w.resolved,
                "" if w.share_matched is None else f"{w.share_matched:.4f}",
                "" if w.median_hours is None else f"{w.median_hours:.2f}",
                "" if w.slow_hours is None else f"{w.slow_hours:.2f}",
            ]
        )
    return out.getvalue()


def summary_csv(board: Board) -> str:
    """Every /helpstats figure, one `figure,value` row each."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["figure", "value"])
    for name, value in board.stats.as_dict().items():
        if name == "unmet_topics":
            continue
        writer.writerow([name, "" if value is None else value])
    for topic, n in board.stats.unmet_topics:
        writer.writerow([guard_cell(f"unmet topic: {topic}"), n])
    for topic, n, days in board.waiting:
        writer.writerow([guard_cell(f"waiting: {topic}"), n])
        writer.writerow([guard_cell(f"longest wait in days: {topic}"), days])
    writer.writerow(["longest_pay_it_forward_chain", len(board.chain)])
    for what, value in board.extra.items():
        writer.writerow([guard_cell(what), value])
    return out.getvalue()


def network_csv(board: Board) -> str:
    """Who helped whom, by display name, among the members the page draws."""
    names = {p.member_id: p.name for p in board.people}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["helper", "helped", "times"])
    for link in sorted(board.links, key=lambda x: (-x.times, x.helper, x.helped)):
        writer.writerow(
            [guard_cell(names[link.helper]), guard_cell(names[link.helped]), link.times]
        )
    return out.getvalue()
