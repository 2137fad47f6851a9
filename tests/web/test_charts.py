"""The server-side SVG charts: geometry from the values, gaps, the band, escaping, checks."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from o2c.web.charts import Band, Series, bar_chart, line_chart, stacked_bar_chart


def _heights(svg: str) -> list[float]:
    return [float(h) for h in re.findall(r'<rect class="series-\d" [^>]*height="([\d.]+)"', svg)]


def test_bars_are_as_tall_as_their_values_and_segments_stack():
    bars = str(bar_chart("Open", ["a", "b"], [Decimal(100), Decimal(50)]))
    tall, short = _heights(bars)
    assert tall == pytest.approx(2 * short)
    stacked = str(stacked_bar_chart("Mix", ["a"], [Series("x", [30]), Series("y", [10])]))
    x, y = _heights(stacked)
    assert x == pytest.approx(3 * y)
    assert 'class="series-0"' in stacked
    assert 'class="series-1"' in stacked


def test_a_missing_value_splits_the_line_and_the_band_is_a_polygon():
    svg = str(
        line_chart(
            "Cash",
            ["w1", "w2", "w3", "w4"],
            [Series("expected", [10, 20, None, 40])],
            band=Band("interval", [5, 15, 25, 35], [15, 25, 35, 45]),
        )
    )
    assert svg.count("<polyline") == 2
    assert svg.count('<polygon class="band"') == 1
    assert "w3 no value" in svg  # the description read by screen readers


def test_text_is_escaped_and_the_chart_is_labelled_for_screen_readers():
    svg = str(bar_chart("<script>", ["<b>"], [1]))
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert "<b>" not in svg
    title_id = re.search(r'aria-labelledby="([^ "]+) ', svg)
    assert title_id is not None
    assert f'<title id="{title_id.group(1)}">' in svg


def test_the_axis_reaches_above_the_highest_value_in_round_steps():
    svg = str(bar_chart("Open", ["a"], [Decimal("873.20")]))
    ticks = re.findall(r'class="tick"[^>]*text-anchor="end">([^<]+)<', svg)
    assert ticks == ["0", "250", "500", "750", "1000"]


def test_values_and_labels_must_pair_up():
    with pytest.raises(ValueError, match="2 values for 3 labels"):
        bar_chart("Open", ["a", "b", "c"], [1, 2])
