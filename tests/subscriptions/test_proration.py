"""Periods and proration by days: pure date and Money arithmetic."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from o2c.kernel.money import Money
from o2c.subscriptions.model import (
    Interval,
    Period,
    add_months,
    charge_for,
    period_containing,
    period_from,
    remaining,
)


def test_anchor_31_is_the_last_day_of_short_months():
    assert add_months(date(2026, 1, 31), 1, 31) == date(2026, 2, 28)
    assert add_months(date(2026, 2, 28), 1, 31) == date(2026, 3, 31)


def test_a_start_off_the_anchor_opens_a_short_first_period_to_the_next_anchor():
    period = period_from(date(2026, 3, 10), 1, Interval.MONTH, None)

    assert (period.start, period.end, period.full_start) == (
        date(2026, 3, 10),
        date(2026, 4, 1),
        date(2026, 3, 1),
    )
    assert (period.days, period.full_days) == (22, 31)


def test_a_short_period_costs_its_share_of_days_rounded_once():
    period = period_from(date(2026, 3, 10), 1, Interval.MONTH, None)

    assert charge_for(Money("30.00", "EUR"), period) == Money("21.29", "EUR")  # 30 × 22/31


def test_quarterly_periods_start_on_the_anchor_every_three_months():
    first = period_from(date(2026, 1, 15), 15, Interval.QUARTER, None)

    assert (first.end, period_from(first.end, 15, Interval.QUARTER, None).end) == (
        date(2026, 4, 15),
        date(2026, 7, 15),
    )


def test_the_period_holding_a_day_is_found_from_the_start():
    period = period_containing(date(2026, 5, 20), date(2026, 3, 10), 1, Interval.MONTH)

    assert (period.start, period.end) == (date(2026, 5, 1), date(2026, 6, 1))


@given(
    price=st.integers(min_value=1, max_value=10**9),
    split=st.integers(min_value=0, max_value=29),
)
def test_used_and_unused_days_of_a_period_sum_exactly_to_its_price(price, split):
    total = Money.from_minor(price, "EUR")
    full = Period(date(2026, 1, 1), date(2026, 1, 31), date(2026, 1, 1), date(2026, 1, 31))
    day = date(2026, 1, 1 + split)
    used = Period(full.start, day, full.start, full.end)

    unused = remaining(total, full, day)

    used_part = charge_for(total, used) if used.days else Money.from_minor(0, "EUR")
    assert used_part + unused == total
