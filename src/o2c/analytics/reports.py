"""KPI reports as of any date: the company's figures, and the same per customer, currency or
segment, plus the trend of the company's figures over a series of dates.

Read-only use cases: they check `ledger.read` and never commit. Every figure is computed
from the ledger's dated records (items, settlements), so a report as of a past day is the
report that would have been printed that day, whatever was posted since with later dates.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from o2c.analytics.cash_application import CashApplicationFigures, cash_application_figures
from o2c.analytics.follow_up import FollowUpFigures, follow_up_figures
from o2c.analytics.kpi import CONTRACT_WINDOW, KpiFigures, empty_totals, figures
from o2c.analytics.measures import GroupBy, gather_totals
from o2c.db.uow import UnitOfWork
from o2c.kernel.errors import FieldError, ValidationFailed
from o2c.parties.service import customer_codes
from o2c.security.model import Actor, Permission
from o2c.security.service import get_company

MAX_PERIOD = 366
MAX_TREND_POINTS = 120


@dataclass(frozen=True)
class KpiGroup:
    key: str
    figures: KpiFigures


@dataclass(frozen=True)
class KpiReport:
    as_of: date
    period: int
    base_currency: str
    company: KpiFigures
    cash_application: CashApplicationFigures
    follow_up: FollowUpFigures
    group_by: GroupBy = GroupBy.COMPANY
    groups: tuple[KpiGroup, ...] = ()

    @property
    def windows(self) -> list[int]:
        return sorted({CONTRACT_WINDOW, self.period})


def _check_period(period: int) -> None:
    if not 1 <= period <= MAX_PERIOD:
        raise ValidationFailed([FieldError("period", f"must be 1 to {MAX_PERIOD} days")])


def kpi_report(
    uow: UnitOfWork,
    actor: Actor,
    as_of: date,
    period: int = CONTRACT_WINDOW,
    group_by: GroupBy = GroupBy.COMPANY,
) -> KpiReport:
    """The KPIs as of `as_of` over a window of `period` days (90 is always computed too).

    Grouped reports carry the company's figures as well: the groups' totals add up to the
    company's, but ratios do not (a DSO is not the sum of the customers' DSOs).
    """
    actor.require(Permission.LEDGER_READ)
    _check_period(period)
    windows = sorted({CONTRACT_WINDOW, period})
    with uow:
        base = get_company(uow, actor.company_id).base_currency
        totals = gather_totals(uow, actor.company_id, as_of, windows, group_by)
        cash = cash_application_figures(uow, actor.company_id, as_of, period)
        follow_up = follow_up_figures(uow, actor, as_of, period)
    company = empty_totals(windows)
    for part in totals.values():
        company.add(part)
    groups: tuple[KpiGroup, ...] = ()
    if group_by is not GroupBy.COMPANY:
        names = _group_names(uow, actor, group_by, totals.keys())
        groups = tuple(
            sorted(
                (
                    KpiGroup(names[key], figures(part, as_of, period))
                    for key, part in totals.items()
                ),
                key=lambda group: group.key,
            )
        )
    company_figures = figures(company, as_of, period)
    return KpiReport(as_of, period, base, company_figures, cash, follow_up, group_by, groups)


def _group_names(
    uow: UnitOfWork, actor: Actor, group_by: GroupBy, keys: Iterable[str]
) -> dict[str, str]:
    keys = list(keys)
    if group_by is not GroupBy.CUSTOMER:
        return {key: key or "(none)" for key in keys}
    codes = customer_codes(uow, actor.company_id, (int(key) for key in keys))
    return {key: codes.get(int(key), key) for key in keys}


class Every(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


def trend_dates(start: date, end: date, every: Every) -> list[date]:
    """The report dates of a trend: each day, each week's last day (Sunday) or each month's
    last day between `start` and `end`, and `end` itself as the newest point."""
    days: list[date] = []
    day = start
    while day <= end:
        if (
            every is Every.DAY
            or (every is Every.WEEK and day.weekday() == 6)
            or (every is Every.MONTH and (day + timedelta(days=1)).day == 1)
        ):
            days.append(day)
        day += timedelta(days=1)
    if not days or days[-1] != end:
        days.append(end)
    return days


def kpi_trend(
    uow: UnitOfWork,
    actor: Actor,
    start: date,
    end: date,
    every: Every = Every.MONTH,
    period: int = CONTRACT_WINDOW,
) -> list[KpiReport]:
    """The company's KPIs as of each date of the series (the DSO and aging trend)."""
    actor.require(Permission.LEDGER_READ)
    if end < start:
        raise ValidationFailed([FieldError("to", "must not be before the start")])
    dates = trend_dates(start, end, every)
    if len(dates) > MAX_TREND_POINTS:
        raise ValidationFailed(
            [FieldError("every", f"{len(dates)} points; at most {MAX_TREND_POINTS}")]
        )
    return [kpi_report(uow, actor, day, period) for day in dates]
