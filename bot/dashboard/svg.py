"""Charts drawn on the server as SVG: no script, no outside request, sharp on any screen.

Each chart is an inline `<svg>` with a `viewBox`, so it scales to the width of a phone; every
point and node has a `<title>`, which browsers show on hover and screen readers read.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

import numpy as np

from bot.dashboard.figures import Link, Person

# A narrow drawing keeps its words readable when a phone shrinks it to 350 px.
WIDTH = 420
HEIGHT = 230
LEFT, RIGHT, TOP, BOTTOM = 42, 10, 12, 42
GREY = "#6b7280"
BLUE = "#2563eb"
GREEN = "#16a34a"
AMBER = "#d97706"
PINK = "#db2777"
FAINT = "#e5e7eb"


@dataclass(frozen=True)
class Series:
    """One line on a chart."""

    name: str
    color: str
    values: Sequence[float | None]


def _svg(label: str, width: int, height: int, body: str, css_class: str = "chart") -> str:
    return (
        f'<svg class="{css_class}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(label)}">'
        f"<title>{escape(label)}</title>{body}</svg>"
    )


def axis_top(value: float, unit: str = "") -> float:
    """The top of an axis with four round steps, at or above `value` (counts: whole steps)."""
    if unit == "%":
        return 100.0
    raw = max(value, 1e-9) / 4
    power = 10 ** math.floor(math.log10(raw))
    steps = (1, 2, 5, 10) if unit == "" else (1, 2, 2.5, 5, 10)
    step = next(s * power for s in steps if s * power >= raw - 1e-12)
    if unit == "":
        step = max(1, math.ceil(step))
    return float(4 * step)


def _fmt(value: float, unit: str) -> str:
    if unit == "%":
        return f"{value:.0f}%"
    if unit == "h":
        return f"{value:g} h" if value >= 1 or value == 0 else f"{value * 60:.0f} min"
    return f"{value:.0f}"


def line_chart(
    label: str, x_labels: Sequence[str], series: Sequence[Series], unit: str = ""
) -> str:
    """Lines over the weeks, with a legend, axis labels, and a tooltip on every point."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    known = [v for s in series for v in s.values if v is not None]
    top = axis_top(max(known, default=0.0), unit)
    n = max(len(x_labels), 1)

    def x(i: int) -> float:
        return LEFT + (plot_w * (i + 0.5) / n)

    def y(v: float) -> float:
        return TOP + plot_h * (1 - min(v, top) / top)

    parts = []
    for k in range(5):  # grid lines and the y axis's labels
        value = top * k / 4
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
            f'stroke="{FAINT}"/><text x="{LEFT - 6}" y="{y(value) + 4:.1f}" '
            f'text-anchor="end" class="axis">{escape(_fmt(value, unit))}</text>'
        )
    every = max(1, math.ceil(n / 5))  # five dates fit across
    for i, text in enumerate(x_labels):
        if i % every == 0 or i == n - 1:
            parts.append(
                f'<text x="{x(i):.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
                f'class="axis">{escape(text)}</text>'
            )
    for s in series:
        run: list[str] = []
        for i, v in enumerate(s.values):
            if v is None:
                if len(run) > 1:
                    parts.append(_polyline(run, s.color))
                run = []
                continue
            run.append(f"{x(i):.1f},{y(v):.1f}")
            parts.append(
                f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3" fill="{s.color}">'
                f"<title>{escape(s.name)}, week of {escape(x_labels[i])}: "
                f"{escape(_fmt(v, unit))}</title></circle>"
            )
        if len(run) > 1:
            parts.append(_polyline(run, s.color))
    legend_x = LEFT
    for s in series:
        parts.append(
            f'<rect x="{legend_x}" y="{HEIGHT - 14}" width="10" height="10" fill="{s.color}"/>'
            f'<text x="{legend_x + 14}" y="{HEIGHT - 5}" class="legend">{escape(s.name)}</text>'
        )
        legend_x += 26 + 7 * len(s.name)
    return _svg(label, WIDTH, HEIGHT, "".join(parts))


def _polyline(points: list[str], color: str) -> str:
    return (
        f'<polyline points="{" ".join(points)}" fill="none" stroke="{color}" '
        'stroke-width="2.5" stroke-linejoin="round"/>'
    )


def bars(label: str, items: Sequence[tuple[str, float, str]], color: str = BLUE) -> str:
    """Horizontal bars, one per item: (label, value, what the number says)."""
    row = 26
    height = max(row * len(items) + 8, 40)
    top = max((v for _, v, _ in items), default=0) or 1
    name_w = 120
    bar_w = WIDTH - name_w - 180  # room for the note after the longest bar
    parts = []
    for i, (name, value, note) in enumerate(items):
        y = 4 + i * row
        width = max(2.0, bar_w * value / top)
        short = name if len(name) <= 16 else name[:15] + "…"
        parts.append(
            f'<text x="{name_w - 6}" y="{y + 18}" text-anchor="end" class="label">'
            f"{escape(short)}</text>"
            f'<rect x="{name_w}" y="{y + 4}" width="{width:.1f}" height="{row - 10}" rx="3" '
            f'fill="{color}"><title>{escape(name)}: {escape(note)}</title></rect>'
            f'<text x="{name_w + width + 6:.1f}" y="{y + 18}" class="label">'
            f"{escape(note)}</text>"
        )
    return _svg(label, WIDTH, height, "".join(parts))


def concentration(label: str, counts: Sequence[int]) -> str:
    """Introductions per helper, busiest first; the busiest tenth stands out."""
    height = 170
    plot_h = height - 40
    shown = list(counts[:60])
    top_n = max(1, math.ceil(len(counts) / 10)) if counts else 0
    peak = max(shown, default=1) or 1
    step = (WIDTH - LEFT - RIGHT) / max(len(shown), 1)
    parts = [
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{10 + plot_h}" y2="{10 + plot_h}" '
        f'stroke="{FAINT}"/>'
    ]
    for i, count in enumerate(shown):
        h = max(1.5, plot_h * count / peak)
        color = AMBER if i < top_n else GREY
        parts.append(
            f'<rect x="{LEFT + i * step + 1:.1f}" y="{10 + plot_h - h:.1f}" '
            f'width="{max(step - 2, 1):.1f}" height="{h:.1f}" fill="{color}">'
            f"<title>a helper with {count} introduction(s)</title></rect>"
        )
    parts.append(
        f'<text x="{LEFT - 6}" y="18" text-anchor="end" class="axis">{peak}</text>'
        f'<rect x="{LEFT}" y="{height - 22}" width="10" height="10" fill="{AMBER}"/>'
        f'<text x="{LEFT + 14}" y="{height - 13}" class="legend">busiest 10% of helpers</text>'
        f'<rect x="{LEFT + 170}" y="{height - 22}" width="10" height="10" fill="{GREY}"/>'
        f'<text x="{LEFT + 184}" y="{height - 13}" class="legend">everyone else</text>'
    )
    return _svg(label, WIDTH, height, "".join(parts))


def layout(count: int, links: Sequence[tuple[int, int, float]], steps: int = 300) -> np.ndarray:
    """Positions in [0, 1]² for `count` nodes: linked nodes pull together, all push apart.

    Fruchterman and Reingold's force-directed layout, from a fixed start, so the same
    network is always drawn the same way.
    """
    if count == 0:
        return np.zeros((0, 2))
    angle = np.arange(count) * 2.399963  # the golden angle: an even, deterministic spiral
    radius = np.sqrt((np.arange(count) + 0.5) / count)
    pos = np.column_stack([np.cos(angle) * radius, np.sin(angle) * radius])
    if count == 1:
        return np.array([[0.5, 0.5]])
    k = math.sqrt(1.0 / count)
    heat = 0.1
    ends_a = np.array([a for a, _, _ in links], dtype=int)
    ends_b = np.array([b for _, b, _ in links], dtype=int)
    weights = np.sqrt(np.minimum(np.array([w for _, _, w in links], dtype=float), 3.0))
    for _ in range(steps):
        delta = pos[:, None, :] - pos[None, :, :]
        dist = np.maximum(np.linalg.norm(delta, axis=2), 1e-3)
        force = (delta / dist[:, :, None]) * (k * k / dist)[:, :, None]
        move = force.sum(axis=1)
        if len(links):
            d = pos[ends_a] - pos[ends_b]
            length = np.maximum(np.linalg.norm(d, axis=1), 1e-3)
            pull = d * (length / k * weights)[:, None]
            np.add.at(move, ends_a, -pull)
            np.add.at(move, ends_b, pull)
        move -= pos * 0.05 * count**0.5  # a little gravity keeps loose members on the page
        size = np.maximum(np.linalg.norm(move, axis=1), 1e-9)
        pos += move / size[:, None] * np.minimum(size, heat)[:, None]
        heat *= 0.985
    low, high = pos.min(axis=0), pos.max(axis=0)
    span = np.where(high - low > 1e-9, high - low, 1.0)
    return np.asarray((pos - low) / span)


def network(label: str, people: Sequence[Person], links: Sequence[Link]) -> str:
    """Who helped whom: a circle per member sized by help given, an arrow per helping pair;
    connectors (help that reached the most different people) in pink, with their names."""
    width, height, pad = 480, 400, 30
    index = {p.member_id: i for i, p in enumerate(people)}
    pairs = [(index[x.helper], index[x.helped], float(x.times)) for x in links]
    where = layout(len(people), pairs)
    xs = [pad + float(v) * (width - 2 * pad) for v in where[:, 0]]
    ys = [pad + float(v) * (height - 2 * pad) for v in where[:, 1]]

    def radius(p: Person) -> float:
        return 5 + 4 * math.sqrt(p.given)

    parts = [
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" '
        f'markerHeight="6" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        f'fill="{GREY}"/></marker></defs>'
    ]
    for a, b, times in pairs:
        x1, y1, x2, y2 = float(xs[a]), float(ys[a]), float(xs[b]), float(ys[b])
        length = max(math.hypot(x2 - x1, y2 - y1), 1e-6)
        # Stop the arrow at the edge of the circle it points to.
        end = max(length - radius(people[b]) - 2, length * 0.5)
        x2, y2 = x1 + (x2 - x1) * end / length, y1 + (y2 - y1) * end / length
        parts.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{GREY}" '
            f'stroke-opacity="0.55" stroke-width="{1 + min(times, 5) * 0.6:.1f}" '
            f'marker-end="url(#arrow)"><title>{escape(people[a].name)} helped '
            f"{escape(people[b].name)} {int(times)} time(s)</title></line>"
        )
    # A small network names everyone; a big one its connectors and busiest helpers.
    busiest = sorted(people, key=lambda p: (-p.connector, -p.given, -p.reach))
    named = {p.member_id for p in busiest[: 20 if len(people) <= 20 else 12]}
    for i, p in enumerate(people):
        color = PINK if p.connector else BLUE if p.given else GREY
        ring = ' stroke="#831843" stroke-width="2.5"' if p.connector else ' stroke="white"'
        what = "a connector: " if p.connector else ""
        parts.append(
            f'<circle class="member{" connector" if p.connector else ""}" '
            f'cx="{float(xs[i]):.1f}" cy="{float(ys[i]):.1f}" r="{radius(p):.1f}" '
            f'fill="{color}"{ring}><title>{escape(p.name)} — {what}helped {p.given} time(s), '
            f"was helped {p.received} time(s), {p.reach} different people</title></circle>"
        )
    for i, p in enumerate(people):
        if p.member_id in named:
            short = p.name if len(p.name) <= 14 else p.name[:13] + "…"
            parts.append(
                f'<text x="{float(xs[i]):.1f}" y="{float(ys[i]) - radius(p) - 4:.1f}" '
                f'text-anchor="middle" class="name">{escape(short)}</text>'
            )
    return _svg(label, width, height, "".join(parts), "chart network")
