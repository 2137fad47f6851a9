"""Server-side SVG charts: bar, stacked bar and line (with an interval band), in pure Python.

Pages are rendered on the server and work offline, so charts are plain inline SVG built
here rather than by a JavaScript library or a chart service. Each chart scales with its
container (`viewBox`), carries a `<title>` and `<desc>` for screen readers, and colours its
series by CSS class (`series-0` … `series-5`, `band`) so the stylesheet owns the palette and
its contrast. Values are numbers (Decimal, int or float); `None` leaves a gap.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import count
from typing import TypeVar

from markupsafe import Markup, escape

Number = Decimal | int | float
T = TypeVar("T")

WIDTH = 640
HEIGHT = 260
LEFT = 64
RIGHT = 16
TOP = 16
BOTTOM = 48
PALETTE_SIZE = 6
_ids = count(1)


@dataclass(frozen=True)
class Series:
    """One named row of values, one per label (None where there is no value)."""

    name: str
    values: Sequence[Number | None]


@dataclass(frozen=True)
class Band:
    """An interval drawn behind a line chart: `low[i]`..`high[i]` at each label."""

    name: str
    low: Sequence[Number | None]
    high: Sequence[Number | None]


def bar_chart(title: str, labels: Sequence[str], values: Sequence[Number | None]) -> Markup:
    """One bar per label."""
    return stacked_bar_chart(title, labels, [Series(title, values)], legend=False)


def stacked_bar_chart(
    title: str, labels: Sequence[str], series: Sequence[Series], *, legend: bool = True
) -> Markup:
    """Bars per label made of one segment per series, stacked upward (negatives count as 0)."""
    _check_lengths(labels, [s.values for s in series])
    totals = [sum(_positive(s.values[i]) for s in series) for i in range(len(labels))]
    scale = _Scale(0.0, max(totals, default=0.0))
    slot = _plot_width() / max(len(labels), 1)
    bar = slot * 0.7
    parts: list[str] = []
    for i in range(len(labels)):
        x = LEFT + slot * i + (slot - bar) / 2
        base = 0.0
        for n, row in enumerate(series):
            value = _positive(row.values[i])
            if value <= 0:
                continue
            y_top, y_bottom = scale.y(base + value), scale.y(base)
            tip = f"{labels[i]}: {row.name} {_format(value)}"
            parts.append(
                f'<rect class="series-{n % PALETTE_SIZE}" x="{x:.1f}" y="{y_top:.1f}" '
                f'width="{bar:.1f}" height="{max(y_bottom - y_top, 0.5):.1f}">'
                f"<title>{escape(tip)}</title></rect>"
            )
            base += value
    body = "".join(parts) + _x_labels(labels, slot, centred=True)
    names = [s.name for s in series] if legend else []
    return _svg(title, _describe(labels, series), scale, body, names, band=None)


def line_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    band: Band | None = None,
) -> Markup:
    """A line per series over the labels, optionally over a shaded interval band."""
    _check_lengths(labels, [s.values for s in series] + ([band.low, band.high] if band else []))
    numbers = [float(v) for s in series for v in s.values if v is not None]
    if band:
        numbers += [float(v) for v in (*band.low, *band.high) if v is not None]
    scale = _Scale(min(numbers, default=0.0), max(numbers, default=0.0))
    step = _plot_width() / max(len(labels) - 1, 1)

    def x(i: int) -> float:
        return LEFT + step * i if len(labels) > 1 else LEFT + _plot_width() / 2

    parts: list[str] = []
    if band:
        for stretch in _runs(
            [
                None if lo is None or hi is None else (float(lo), float(hi))
                for lo, hi in zip(band.low, band.high, strict=True)
            ]
        ):
            upper = [f"{x(i):.1f},{scale.y(hi):.1f}" for i, (_lo, hi) in stretch]
            lower = [f"{x(i):.1f},{scale.y(lo):.1f}" for i, (lo, _hi) in reversed(stretch)]
            parts.append(
                f'<polygon class="band" points="{" ".join(upper + lower)}">'
                f"<title>{escape(band.name)}</title></polygon>"
            )
    for n, row in enumerate(series):
        css = f"series-{n % PALETTE_SIZE}"
        points = [None if v is None else float(v) for v in row.values]
        for run in _runs(points):
            path = " ".join(f"{x(i):.1f},{scale.y(v):.1f}" for i, v in run)
            parts.append(f'<polyline class="line {css}" points="{path}"/>')
            for i, v in run:
                tip = f"{labels[i]}: {row.name} {_format(v)}"
                parts.append(
                    f'<circle class="{css}" cx="{x(i):.1f}" cy="{scale.y(v):.1f}" r="3">'
                    f"<title>{escape(tip)}</title></circle>"
                )
    body = "".join(parts) + _x_labels(labels, step, centred=False)
    names = [s.name for s in series]
    return _svg(title, _describe(labels, series), scale, body, names, band=band)


class _Scale:
    """Maps values to the plot's y pixels over rounded bounds that include zero."""

    def __init__(self, low: float, high: float) -> None:
        low, high = min(low, 0.0), max(high, 0.0)
        if high == low:
            high = low + 1
        self.step = _nice_step((high - low) / 4)
        self.low = math.floor(low / self.step) * self.step
        self.high = math.ceil(high / self.step) * self.step

    def y(self, value: float) -> float:
        share = (value - self.low) / (self.high - self.low)
        return TOP + (HEIGHT - TOP - BOTTOM) * (1 - share)

    def ticks(self) -> list[float]:
        steps = round((self.high - self.low) / self.step)
        return [self.low + self.step * k for k in range(steps + 1)]


def _nice_step(raw: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10^k at least `raw`, so axis ticks read as round."""
    power = 10.0 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if factor * power >= raw:
            return factor * power
    return 10 * power


def _svg(
    title: str,
    description: str,
    scale: _Scale,
    body: str,
    names: Sequence[str],
    band: Band | None,
) -> Markup:
    number = next(_ids)
    title_id, desc_id = f"chart-{number}-title", f"chart-{number}-desc"
    grid = "".join(
        f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" '
        f'y1="{scale.y(t):.1f}" y2="{scale.y(t):.1f}"/>'
        f'<text class="tick" x="{LEFT - 6}" y="{scale.y(t) + 4:.1f}" '
        f'text-anchor="end">{escape(_format(t))}</text>'
        for t in scale.ticks()
    )
    legend = _legend(names, band)
    return Markup(
        f'<figure class="chart"><svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{title_id}">{escape(title)}</title>'
        f'<desc id="{desc_id}">{escape(description)}</desc>'
        f"{grid}{body}</svg>"
        f'<figcaption><span class="chart-title">{escape(title)}</span>{legend}</figcaption>'
        "</figure>"
    )


def _legend(names: Sequence[str], band: Band | None) -> str:
    if not names and band is None:
        return ""
    items = [
        f'<li><span class="swatch series-{n % PALETTE_SIZE}" aria-hidden="true"></span>'
        f"{escape(name)}</li>"
        for n, name in enumerate(names)
    ]
    if band is not None:
        items.append(
            f'<li><span class="swatch band" aria-hidden="true"></span>{escape(band.name)}</li>'
        )
    return f'<ul class="legend">{"".join(items)}</ul>'


def _x_labels(labels: Sequence[str], step: float, *, centred: bool) -> str:
    """Labels under the axis, thinned so at most ~12 show."""
    every = max(1, math.ceil(len(labels) / 12))
    offset = step / 2 if centred else 0.0
    x0 = LEFT if centred or len(labels) > 1 else LEFT + _plot_width() / 2
    return "".join(
        f'<text class="tick" x="{x0 + step * i + offset:.1f}" y="{HEIGHT - BOTTOM + 18}" '
        f'text-anchor="middle">{escape(label)}</text>'
        for i, label in enumerate(labels)
        if i % every == 0
    )


def _describe(labels: Sequence[str], series: Sequence[Series]) -> str:
    """The chart's data as one sentence per series, for screen readers."""
    return " ".join(
        f"{row.name}: "
        + ", ".join(
            f"{label} {'no value' if v is None else _format(float(v))}"
            for label, v in zip(labels, row.values, strict=True)
        )
        + "."
        for row in series
    )


def _runs(values: Sequence[T | None]) -> list[list[tuple[int, T]]]:
    """Consecutive stretches of non-missing values, with their positions."""
    runs: list[list[tuple[int, T]]] = [[]]
    for i, value in enumerate(values):
        if value is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append((i, value))
    return [run for run in runs if run]


def _check_lengths(labels: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    for row in rows:
        if len(row) != len(labels):
            raise ValueError(f"{len(row)} values for {len(labels)} labels")


def _positive(value: Number | None) -> float:
    return max(float(value), 0.0) if value is not None else 0.0


def _plot_width() -> float:
    return WIDTH - LEFT - RIGHT


def _format(value: float) -> str:
    """Compact axis and tooltip numbers: 1.2M, 35k, 12.5."""
    size = abs(value)
    if size >= 1_000_000:
        return f"{value / 1_000_000:.1f}M"
    if size >= 10_000:
        return f"{value / 1_000:.0f}k"
    if size == int(size):
        return f"{value:.0f}"
    return f"{value:.1f}"
