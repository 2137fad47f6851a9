"""The receivables KPIs as pure formulas over totals (docs/KPIS.md has a worked example).

Every figure is computed from a handful of totals in base-currency minor units, gathered by
`analytics.measures` as of a date: what was open that day (and how much of it not yet due),
what was open the day before the measurement window, and what was invoiced net of credit
notes per window and per calendar month. Ratios are Decimal, rounded half-up to two places
once, at the end; a ratio whose denominator is not positive is None ("not defined"), never
zero or infinity.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

CONTRACT_WINDOW = 90
COUNTBACK_MONTHS = 24
TWO_PLACES = Decimal("0.01")
HUNDRED = Decimal(100)


@dataclass
class ArTotals:
    """What the KPIs of one group (the company, a customer, a currency…) are computed from.

    All amounts are base-currency minor units. `begin[n]` is the AR open at the end of the
    day before the n-day window; `invoiced[n]` the net invoiced inside it; `months[0]` the
    net invoiced from the first of the as-of month through the as-of date, `months[k]` the
    k-th full calendar month before.
    """

    ar_open: int = 0
    ar_current: int = 0
    unapplied_cash: int = 0
    begin: dict[int, int] = field(default_factory=dict)
    invoiced: dict[int, int] = field(default_factory=dict)
    months: list[int] = field(default_factory=lambda: [0] * COUNTBACK_MONTHS)

    def add(self, other: ArTotals) -> None:
        """Accumulate another group's totals (the company is the sum of its customers)."""
        self.ar_open += other.ar_open
        self.ar_current += other.ar_current
        self.unapplied_cash += other.unapplied_cash
        for n, value in other.begin.items():
            self.begin[n] = self.begin.get(n, 0) + value
        for n, value in other.invoiced.items():
            self.invoiced[n] = self.invoiced.get(n, 0) + value
        self.months = [a + b for a, b in zip(self.months, other.months, strict=True)]


@dataclass(frozen=True)
class KpiFigures:
    """The KPIs of one group as of a date; ratios in days or percent, None when undefined."""

    ar_open: int
    ar_current: int
    ar_past_due: int
    unapplied_cash: int
    net_invoiced: dict[int, int]
    dso_standard: dict[int, Decimal | None]
    cei: dict[int, Decimal | None]
    dso_countback: Decimal | None
    best_possible_dso: Decimal | None
    average_days_delinquent: Decimal | None
    percent_current: Decimal | None


def empty_totals(windows: Iterable[int]) -> ArTotals:
    """Zero totals with an entry for each window."""
    windows = list(windows)
    return ArTotals(begin=dict.fromkeys(windows, 0), invoiced=dict.fromkeys(windows, 0))


def _round(value: Decimal) -> Decimal:
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def _ratio(numerator: int, denominator: int, scale: int | Decimal) -> Decimal | None:
    if denominator <= 0:
        return None
    return _round(Decimal(numerator) * Decimal(scale) / Decimal(denominator))


def month_windows(as_of: date, count: int = COUNTBACK_MONTHS) -> list[tuple[date, date]]:
    """(first, last) day of each count-back month: the as-of month up to `as_of`, then the
    full calendar months before it, newest first."""
    windows = [(as_of.replace(day=1), as_of)]
    while len(windows) < count:
        last = windows[-1][0] - timedelta(days=1)
        windows.append((last.replace(day=1), last))
    return windows


def countback_dso(ar_open: int, months: list[int], days: list[int]) -> Decimal | None:
    """Days of the most recent sales that the open AR represents, month by month backwards.

    Each month whose net sales the remaining AR still exceeds counts in full; the month that
    absorbs the rest counts pro rata. AR left after every month counts all of them (the
    figure is then a lower bound). A month without sales counts in full: the AR is older.
    None when there are no sales at all in the look-back, 0 when nothing is open.
    """
    if ar_open <= 0:
        return Decimal(0)
    if sum(months) <= 0:
        return None
    remaining = Decimal(ar_open)
    total = Decimal(0)
    for sales, length in zip(months, days, strict=True):
        if sales > 0 and remaining <= sales:
            return _round(total + Decimal(length) * remaining / Decimal(sales))
        remaining -= max(sales, 0)
        total += length
    return _round(total)


def figures(totals: ArTotals, as_of: date, period: int) -> KpiFigures:
    """Every KPI of one group from its totals (formulas in docs/KPIS.md)."""
    days = [(last - first).days + 1 for first, last in month_windows(as_of, len(totals.months))]
    past_due = totals.ar_open - totals.ar_current
    dso = {n: _ratio(totals.ar_open, totals.invoiced[n], n) for n in totals.invoiced}
    cei: dict[int, Decimal | None] = {}
    for n, invoiced in totals.invoiced.items():
        available = totals.begin[n] + invoiced
        cei[n] = _ratio(available - totals.ar_open, available - totals.ar_current, HUNDRED)
    best = _ratio(totals.ar_current, totals.invoiced[period], period)
    delinquent = _ratio(past_due, totals.invoiced[period], period)
    return KpiFigures(
        ar_open=totals.ar_open,
        ar_current=totals.ar_current,
        ar_past_due=past_due,
        unapplied_cash=totals.unapplied_cash,
        net_invoiced=dict(totals.invoiced),
        dso_standard=dso,
        cei=cei,
        dso_countback=countback_dso(totals.ar_open, totals.months, days),
        best_possible_dso=best,
        average_days_delinquent=delinquent,
        percent_current=_ratio(totals.ar_current, totals.ar_open, HUNDRED),
    )
