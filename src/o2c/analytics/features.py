"""Features of an invoice for predicting when it will be paid, from the company's own history.

The target is the payment delay in days: the day the invoice was cleared minus its due date
(negative when paid early). Each invoice's features use only what was known on the day it
was issued: the customer's invoices cleared before that day (their delays, recent trend,
how many were late or disputed), and the invoice itself (amount, terms, season, dispute).
So the same function serves training (every cleared invoice, in issue order) and prediction
(open invoices, as of today) without leaking the future into the past.
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from statistics import fmean, median

import numpy as np
from numpy.typing import NDArray

FEATURES = (
    "log_amount",
    "amount_vs_customer",
    "terms_days",
    "issue_month",
    "due_weekday",
    "disputed",
    "history_count",
    "history_mean_delay",
    "history_median_delay",
    "history_std_delay",
    "recent_mean_delay",
    "trend_delay",
    "history_late_share",
    "history_disputed_share",
    "days_since_last_payment",
    "open_count_at_issue",
)
RECENT = 3


@dataclass(frozen=True, slots=True)
class InvoiceFacts:
    """What the ledger knows of one invoice; `cleared_on` is None while it is open."""

    key: int
    customer: str
    issued_on: date
    due_on: date
    amount: float  # base-currency units: a feature, never used as money
    disputed: bool = False
    cleared_on: date | None = None

    @property
    def delay(self) -> int:
        assert self.cleared_on is not None
        return (self.cleared_on - self.due_on).days


@dataclass
class _CustomerHistory:
    """A customer's cleared invoices ordered by clearing day, for look-ups "before day D".

    The statistics of the first k cleared invoices are computed once per k and kept: the
    open invoices of one day, or the invoices of a customer issued between two clearings,
    share them.
    """

    cleared: list[tuple[date, int, bool, float]] = field(default_factory=list)
    issued: list[date] = field(default_factory=list)
    cleared_days: list[date] = field(default_factory=list)
    stats: dict[int, list[float]] = field(default_factory=dict)

    def freeze(self) -> None:
        self.cleared.sort(key=lambda row: row[0])
        self.issued.sort()
        self.cleared_days = [row[0] for row in self.cleared]

    def known_on(self, day: date) -> int:
        """How many invoices had cleared before `day`."""
        return bisect.bisect_left(self.cleared_days, day)

    def open_on(self, day: date) -> int:
        """Invoices issued before `day` and not cleared before it."""
        return bisect.bisect_left(self.issued, day) - self.known_on(day)

    def statistics(self, k: int) -> list[float]:
        """Mean, median, spread, recent mean, trend, late share, disputed share, mean amount
        and last clearing day (ordinal) of the first `k` cleared invoices; NaN when k = 0."""
        if k not in self.stats:
            self.stats[k] = _statistics(self.cleared[:k])
        return self.stats[k]


def _statistics(past: list[tuple[date, int, bool, float]]) -> list[float]:
    if not past:
        return [math.nan] * 9
    delays = [delay for _, delay, _, _ in past]
    mean = fmean(delays)
    recent = fmean(delays[-RECENT:])
    return [
        mean,
        float(median(delays)),
        float(np.std(delays)) if len(delays) > 1 else math.nan,
        recent,
        recent - mean,
        sum(1 for d in delays if d > 0) / len(delays),
        sum(1 for _, _, disputed, _ in past if disputed) / len(past),
        fmean(amount for _, _, _, amount in past),
        float(past[-1][0].toordinal()),
    ]


def _histories(history: Sequence[InvoiceFacts]) -> dict[str, _CustomerHistory]:
    result: dict[str, _CustomerHistory] = defaultdict(_CustomerHistory)
    for invoice in history:
        entry = result[invoice.customer]
        entry.issued.append(invoice.issued_on)
        if invoice.cleared_on is not None:
            entry.cleared.append(
                (invoice.cleared_on, invoice.delay, invoice.disputed, invoice.amount)
            )
    for entry in result.values():
        entry.freeze()
    return result


def _row(invoice: InvoiceFacts, known: _CustomerHistory) -> list[float]:
    k = known.known_on(invoice.issued_on)
    mean, middle, spread, recent, trend, late, disputed, amount, last = known.statistics(k)
    return [
        math.log1p(max(invoice.amount, 0.0)),
        invoice.amount / amount if k and amount > 0 else math.nan,
        float((invoice.due_on - invoice.issued_on).days),
        float(invoice.issued_on.month),
        float(invoice.due_on.weekday()),
        1.0 if invoice.disputed else 0.0,
        float(k),
        mean,
        middle,
        spread,
        recent,
        trend,
        late,
        disputed,
        invoice.issued_on.toordinal() - last if k else math.nan,
        float(known.open_on(invoice.issued_on)),
    ]


def feature_matrix(
    invoices: Sequence[InvoiceFacts], history: Sequence[InvoiceFacts]
) -> NDArray[np.float64]:
    """One row of `FEATURES` per invoice, each from `history` cleared before its issue day.

    Missing values (a customer without history) are NaN: gradient boosting learns where to
    send them, which is better than pretending a new customer pays on the due date.
    """
    known = _histories(history)
    empty = _CustomerHistory()
    rows = [_row(invoice, known.get(invoice.customer, empty)) for invoice in invoices]
    return np.array(rows, dtype=np.float64).reshape(len(rows), len(FEATURES))


def customer_average_delays(
    invoices: Sequence[InvoiceFacts], history: Sequence[InvoiceFacts], fallback: float
) -> NDArray[np.float64]:
    """Baseline: each invoice's customer's mean delay over invoices cleared before its
    issue day (`fallback` for a customer without any)."""
    known = _histories(history)
    empty = _CustomerHistory()
    result = []
    for invoice in invoices:
        entry = known.get(invoice.customer, empty)
        k = entry.known_on(invoice.issued_on)
        result.append(entry.statistics(k)[0] if k else fallback)
    return np.array(result, dtype=np.float64)
