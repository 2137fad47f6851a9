"""Subscription periods and proration as pure date and Money arithmetic.

A subscription is billed in advance, one invoice per period. Periods are anchored on a day of
the month (clamped to short months: anchor 31 is Feb 28), every 1, 3 or 12 months. A start
between anchors opens a short first period up to the next anchor date. Any part of a period
is charged by days: the full period's price is split over its days with `Money.allocate`
(largest remainder), so the parts of one period always sum exactly to its price; that split
is the one rounding site, for first periods, upgrades and cancellations alike.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from o2c.kernel.errors import FieldError
from o2c.kernel.money import Money


class Interval(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"

    @property
    def months(self) -> int:
        return {"month": 1, "quarter": 3, "year": 12}[self.value]


class SubscriptionStatus(StrEnum):
    ACTIVE = "active"
    CANCELLED = "cancelled"


class ChargeKind(StrEnum):
    PERIOD = "period"
    CHANGE = "change"
    CANCEL = "cancel"


@dataclass(frozen=True)
class PlanCreate:
    code: str
    name: str
    price: Money
    interval: Interval
    tax_category: str = "standard"


@dataclass(frozen=True)
class Period:
    """Billed days [start, end); `full_start`..`full_end` is the whole period they belong to."""

    start: date
    end: date
    full_start: date
    full_end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def full_days(self) -> int:
        return (self.full_end - self.full_start).days


def on_anchor(year: int, month: int, anchor_day: int) -> date:
    """The anchor date in a month, clamped to its last day."""
    return date(year, month, min(anchor_day, calendar.monthrange(year, month)[1]))


def add_months(day: date, months: int, anchor_day: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return on_anchor(index // 12, index % 12 + 1, anchor_day)


def next_anchor(day: date, anchor_day: int) -> date:
    """The first anchor date strictly after `day`."""
    this_month = on_anchor(day.year, day.month, anchor_day)
    return this_month if this_month > day else add_months(this_month, 1, anchor_day)


def is_anchor(day: date, anchor_day: int) -> bool:
    return day == on_anchor(day.year, day.month, anchor_day)


def period_from(start: date, anchor_day: int, interval: Interval, stop: date | None) -> Period:
    """The period that begins on `start`, cut short at `stop` (a cancellation) if earlier.

    On an anchor date that is a full interval; elsewhere it runs to the next anchor date and
    belongs to the full period of one interval that ends there.
    """
    if is_anchor(start, anchor_day):
        full_start, full_end = start, add_months(start, interval.months, anchor_day)
    else:
        full_end = next_anchor(start, anchor_day)
        full_start = add_months(full_end, -interval.months, anchor_day)
    end = full_end if stop is None else min(full_end, stop)
    return Period(start, end, full_start, full_end)


def period_containing(day: date, first: date, anchor_day: int, interval: Interval) -> Period:
    """The (full or first short) period of a subscription started on `first` holding `day`."""
    period = period_from(first, anchor_day, interval, None)
    while period.end <= day:
        period = period_from(period.end, anchor_day, interval, None)
    return period


def charge_for(price: Money, period: Period) -> Money:
    """The price of the days in `period`: the whole price, or its share by days."""
    if period.days == period.full_days:
        return price
    before = (period.start - period.full_start).days
    after = (period.full_end - period.end).days
    weights = [before, period.days, after]
    return price.allocate(weights)[1]


def remaining(price: Money, period: Period, day: date) -> Money:
    """The share of `price` for the days of `period` from `day` to its end (unused days)."""
    rest = Period(day, period.end, period.full_start, period.full_end)
    return charge_for(price, rest) if rest.days > 0 else Money.from_minor(0, price.currency)


def plan_problems(cmd: PlanCreate) -> list[FieldError]:
    errors = []
    if not cmd.code.strip():
        errors.append(FieldError("code", "must not be empty"))
    if not cmd.name.strip():
        errors.append(FieldError("name", "must not be empty"))
    if cmd.price.amount <= 0:
        errors.append(FieldError("price", "must be positive"))
    return errors


def anchor_problems(anchor_day: int) -> list[FieldError]:
    if not 1 <= anchor_day <= 31:
        return [FieldError("anchor_day", "a day of the month, 1 to 31")]
    return []
