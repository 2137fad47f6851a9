"""The KPI formulas on the totals of docs/KPIS.md's worked example, computed by hand there."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from o2c.analytics.kpi import ArTotals, countback_dso, figures, month_windows

AS_OF = date(2026, 3, 31)


def example_totals() -> ArTotals:
    months = [350000, 200000, 300000, 100000] + [0] * 20
    return ArTotals(
        ar_open=590000,
        ar_current=350000,
        unapplied_cash=25000,
        begin={90: 100000},
        invoiced={90: 850000},
        months=months,
    )


def test_worked_example_figures_match_the_hand_computation():
    # given the totals of the worked example
    totals = example_totals()
    # when the KPIs are computed as of 2026-03-31 over 90 days
    kpi = figures(totals, AS_OF, 90)
    # then each figure is the one docs/KPIS.md computes by hand
    assert kpi.dso_standard == {90: Decimal("62.47")}  # 5900 / 8500 × 90
    assert kpi.best_possible_dso == Decimal("37.06")  # 3500 / 8500 × 90
    assert kpi.average_days_delinquent == Decimal("25.41")  # 2400 / 8500 × 90
    assert kpi.cei == {90: Decimal("60.00")}  # (1000 + 8500 − 5900) / (1000 + 8500 − 3500)
    assert kpi.percent_current == Decimal("59.32")  # 3500 / 5900
    assert kpi.dso_countback == Decimal("63.13")  # 31 + 28 + 400 / 3000 × 31
    assert kpi.ar_past_due == 240000


def test_count_back_months_start_with_the_partial_as_of_month():
    windows = month_windows(date(2026, 3, 10), 3)
    assert windows == [
        (date(2026, 3, 1), date(2026, 3, 10)),
        (date(2026, 2, 1), date(2026, 2, 28)),
        (date(2026, 1, 1), date(2026, 1, 31)),
    ]


def test_ratios_without_sales_are_undefined_not_zero():
    totals = ArTotals(ar_open=1000, ar_current=0, begin={90: 1000}, invoiced={90: 0})
    kpi = figures(totals, AS_OF, 90)
    assert kpi.dso_standard[90] is None
    assert kpi.best_possible_dso is None
    assert kpi.dso_countback is None
    assert kpi.percent_current == Decimal("0.00")


def test_nothing_open_means_zero_days_and_no_percent_current():
    totals = ArTotals(begin={90: 0}, invoiced={90: 5000}, months=[5000] + [0] * 23)
    kpi = figures(totals, AS_OF, 90)
    assert kpi.dso_standard[90] == Decimal("0.00")
    assert kpi.dso_countback == Decimal(0)
    assert kpi.percent_current is None


def test_count_back_counts_every_month_when_the_ar_exceeds_all_sales():
    assert countback_dso(1000, [100, 100], [31, 28]) == Decimal("59.00")


@pytest.mark.parametrize(
    ("ar", "expected"), [(50, Decimal("15.50")), (100, Decimal("31.00")), (150, Decimal("45.00"))]
)
def test_count_back_takes_the_absorbing_month_pro_rata(ar, expected):
    assert countback_dso(ar, [100, 100], [31, 28]) == expected


@given(
    open_=st.integers(0, 10**9),
    current_share=st.floats(0, 1),
    sales=st.integers(1, 10**9),
)
def test_dso_splits_into_best_possible_and_days_delinquent(open_, current_share, sales):
    # given any AR, part of it current, and positive sales
    current = int(open_ * current_share)
    totals = ArTotals(ar_open=open_, ar_current=current, begin={90: 0}, invoiced={90: sales})
    # when the figures are computed
    kpi = figures(totals, AS_OF, 90)
    # then DSO = BPDSO + ADD, up to the rounding of each to two places
    assert kpi.dso_standard[90] is not None
    assert kpi.best_possible_dso is not None
    assert kpi.average_days_delinquent is not None
    gap = kpi.dso_standard[90] - kpi.best_possible_dso - kpi.average_days_delinquent
    assert abs(gap) <= Decimal("0.01")
