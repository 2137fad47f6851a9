"""The totals behind the KPIs, gathered set-based from the AR subledger as of any date.

An item's open amount on day D is its open amount now minus the settlements dated after D
(the way `ledger.reports` reconstructs aging). Three grouped queries serve every KPI of
every group at once (docs/KPIS.md, "How it is computed"):
- one pass over the items: the currently open ones split by CASE into "AR issued by D",
  "AR issued by D and not yet due", "unapplied cash", and the invoices and credit notes
  of the count-back look-back grouped by calendar month, with sums per window;
- the settlements dated after D, joined to their items, split the same way and subtracted;
- the AR control account's journal lines inside each window: the AR on the day before a
  window is the AR on D less that movement.
Each returns one row per (group, currency); currencies are converted to the company's
base currency at the rate in force on the as-of date (`ledger.service.rate_on`), once per
currency and total, so a report of 1,000,000 items converts a handful of numbers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import String, case, func, literal, or_, select, text
from sqlalchemy.sql.elements import ColumnElement

from o2c.analytics.kpi import COUNTBACK_MONTHS, ArTotals, month_windows
from o2c.collections.tables import CollectionAccount
from o2c.db.uow import UnitOfWork
from o2c.ledger.model import AccountRole, ItemKind, to_base
from o2c.ledger.service import accounts_by_role, rate_on
from o2c.ledger.tables import JournalLine, OpenItem, Settlement
from o2c.parties.tables import Customer
from o2c.security.service import get_company

SALES_KINDS = (ItemKind.INVOICE.value, ItemKind.CREDIT_NOTE.value)
COMPANY = "company"


class GroupBy(StrEnum):
    COMPANY = "company"
    CUSTOMER = "customer"
    CURRENCY = "currency"
    SEGMENT = "segment"
    COLLECTOR = "collector"


def _group_key(group_by: GroupBy, customer: Any, currency: Any) -> Any:
    if group_by is GroupBy.CUSTOMER:
        return customer
    if group_by is GroupBy.CURRENCY:
        return currency
    if group_by is GroupBy.SEGMENT:
        return func.coalesce(Customer.attributes["segment"].as_string(), "")
    if group_by is GroupBy.COLLECTOR:
        return func.coalesce(CollectionAccount.collector, "")
    return literal(COMPANY, String)


def _sum_if(condition: ColumnElement[bool], value: Any) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0)


class _Scan:
    """The shared parts of the three scans for one company, date and set of windows."""

    def __init__(
        self, company_id: int, as_of: date, windows: Iterable[int], group_by: GroupBy
    ) -> None:
        self.company_id = company_id
        self.as_of = as_of
        self.windows = sorted(set(windows))
        self.group_by = group_by
        self.key = _group_key(group_by, OpenItem.customer_id, OpenItem.currency).label("grp")
        self.line_key = _group_key(group_by, JournalLine.customer_id, JournalLine.currency).label(
            "grp"
        )
        # The company as a whole is grouped by currency only (a constant is no GROUP BY key).
        self.grouping = [] if group_by is GroupBy.COMPANY else [self.key]
        self.line_grouping = [] if group_by is GroupBy.COMPANY else [self.line_key]

    def begin(self, n: int) -> date:
        """Last day before the n-day window that ends on the as-of date."""
        return self.as_of - timedelta(days=n)

    def joined(self, query: Any, customer: Any = OpenItem.customer_id) -> Any:
        if self.group_by is GroupBy.SEGMENT:
            return query.join(Customer, Customer.id == customer)
        if self.group_by is GroupBy.COLLECTOR:
            return query.outerjoin(
                CollectionAccount,
                (CollectionAccount.company_id == self.company_id)
                & (CollectionAccount.customer_id == customer),
            )
        return query

    def split(
        self, ar: ColumnElement[bool], cash: ColumnElement[bool], amount: Any, settled_on: Any
    ) -> list[Any]:
        """Columns: open on D (AR), current on D (AR), unapplied cash on D.

        For the settlements scan (`settled_on` given) only what was settled after D counts.
        """
        issued = OpenItem.doc_date <= self.as_of
        if settled_on is not None:
            issued = issued & (settled_on > self.as_of)
        current = OpenItem.due_date >= self.as_of
        return [
            _sum_if(ar & issued, amount),
            _sum_if(ar & issued & current, amount),
            _sum_if(cash & issued, amount),
        ]

    def month(self) -> tuple[ColumnElement[bool], ColumnElement[int]]:
        """Which items are sales of the look-back, and the count-back month of each (0 for
        the as-of month, 1 the month before, …; -1 for items that are not such sales)."""
        months = month_windows(self.as_of, COUNTBACK_MONTHS)
        earliest = min(months[-1][0], *(self.begin(n) + timedelta(days=1) for n in self.windows))
        sale = OpenItem.kind.in_(SALES_KINDS) & (OpenItem.doc_date >= earliest)
        month = case(
            *(
                (sale & (OpenItem.doc_date >= first), index)
                for index, (first, _) in enumerate(months)
            ),
            else_=-1,
        )
        return sale, month


def _items(scan: _Scan, ar_account: int, cash_account: int) -> Any:
    """One pass over the items, grouped by count-back month as well: what is open now (to
    be corrected by later settlements), and what was sold (net) per month and per window.
    Grouping by month costs one CASE per row; a column per month would cost 24."""
    still_open = OpenItem.closed_on.is_(None)
    ar = still_open & (OpenItem.account_id == ar_account)
    cash = still_open & (OpenItem.account_id == cash_account)
    sale, month = scan.month()
    month_key = month.label("month")
    columns = scan.split(ar, cash, OpenItem.open_minor, None)
    columns.append(_sum_if(sale, OpenItem.amount_minor))
    columns += [
        _sum_if(sale & (OpenItem.doc_date > scan.begin(n)), OpenItem.amount_minor)
        for n in scan.windows
    ]
    query = select(scan.key, OpenItem.currency, month_key, *columns).where(
        OpenItem.company_id == scan.company_id,
        OpenItem.doc_date <= scan.as_of,
        or_(ar, cash, sale),
    )
    return scan.joined(query).group_by(*scan.grouping, OpenItem.currency, month_key)


def _settled_later(scan: _Scan, ar_account: int, cash_account: int) -> Any:
    """Settlements dated after D, to undo from what is open now (none when D is today)."""
    ar = OpenItem.account_id == ar_account
    cash = OpenItem.account_id == cash_account
    later = scan.split(ar, cash, Settlement.amount_minor, Settlement.settled_on)
    query = (
        select(scan.key, OpenItem.currency, *later)
        .select_from(Settlement)
        .join(OpenItem, OpenItem.id == Settlement.item_id)
        .where(
            Settlement.company_id == scan.company_id,
            Settlement.settled_on > scan.as_of,
            OpenItem.doc_date <= scan.as_of,
            OpenItem.account_id.in_((ar_account, cash_account)),
        )
    )
    return scan.joined(query).group_by(*scan.grouping, OpenItem.currency)


def _ar_movements(scan: _Scan, ar_account: int) -> Any:
    """What the AR control account moved inside each window (up to D), per group and
    currency. The AR on the day before a window is the AR on D less this movement: the
    account's balance equals its open items' on every day (a ledger invariant), and its
    lines are indexed by date, so no settlement of the window has to be joined to its item."""
    columns = [
        _sum_if(JournalLine.entry_date > scan.begin(n), JournalLine.amount_minor)
        for n in scan.windows
    ]
    query = select(scan.line_key, JournalLine.currency, *columns).where(
        JournalLine.company_id == scan.company_id,
        JournalLine.account_id == ar_account,
        JournalLine.entry_date > scan.begin(max(scan.windows)),
        JournalLine.entry_date <= scan.as_of,
    )
    joined = scan.joined(query, JournalLine.customer_id)
    return joined.group_by(*scan.line_grouping, JournalLine.currency)


def _tune_postgresql(uow: UnitOfWork) -> None:
    """A few wide aggregates over millions of rows: PostgreSQL's JIT spends longer compiling
    their dozens of CASE columns than running them (13 s of 15 measured on 3,000,000 items),
    and the default work_mem makes the settlement join spill to disk. Both for this
    transaction only."""
    if uow.session.get_bind().dialect.name == "postgresql":
        uow.session.execute(text("SET LOCAL jit = off"))
        uow.session.execute(text("SET LOCAL work_mem = '64MB'"))


def gather_totals(
    uow: UnitOfWork, company_id: int, as_of: date, windows: Iterable[int], group_by: GroupBy
) -> dict[str, ArTotals]:
    """Totals per group (by its key as text) in base-currency minor units, as of `as_of`."""
    scan = _Scan(company_id, as_of, windows, group_by)
    n_windows = len(scan.windows)
    width = 3
    raw: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0] * width)
    sales: dict[tuple[str, str], list[int]] = {}
    with uow:
        _tune_postgresql(uow)
        accounts = accounts_by_role(uow, company_id)
        ar_account = accounts[AccountRole.AR_CONTROL]
        cash_account = accounts[AccountRole.UNAPPLIED_CASH]
        for key, currency, month, *values in uow.session.execute(
            _items(scan, ar_account, cash_account)
        ):
            group = (str(key), currency)
            row = raw[group]
            sold = sales.setdefault(group, [0] * (COUNTBACK_MONTHS + n_windows))
            for i, value in enumerate(values[:width]):
                row[i] += int(value)
            if month >= 0:
                sold[month] += int(values[width])
            for i, value in enumerate(values[width + 1 :]):
                sold[COUNTBACK_MONTHS + i] += int(value)
        for key, currency, *values in uow.session.execute(
            _settled_later(scan, ar_account, cash_account)
        ):
            row = raw[(str(key), currency)]
            for i, value in enumerate(values):
                row[i] -= int(value)
        moved: dict[tuple[str, str], list[int]] = {}
        for key, currency, *values in uow.session.execute(_ar_movements(scan, ar_account)):
            moved[(str(key), currency)] = [int(v) for v in values]
        base = get_company(uow, company_id).base_currency
        currencies = {currency for _, currency in raw.keys() | sales.keys() | moved.keys()}
        rates = {c: rate_on(uow, company_id, c, as_of) for c in currencies}

    def convert(minor: int, currency: str) -> int:
        return to_base(minor, currency, base, rates[currency])

    result: dict[str, ArTotals] = {}
    for key, currency in raw.keys() | sales.keys() | moved.keys():
        opened = raw.get((key, currency), [0] * width)
        movement = moved.get((key, currency), [0] * n_windows)
        opened = [convert(v, currency) for v in opened + [opened[0] - m for m in movement]]
        sold = [
            convert(v, currency)
            for v in sales.get((key, currency), [0] * (COUNTBACK_MONTHS + n_windows))
        ]
        part = ArTotals(
            ar_open=opened[0],
            ar_current=opened[1],
            unapplied_cash=-opened[2],
            begin=dict(zip(scan.windows, opened[3:], strict=True)),
            invoiced=dict(zip(scan.windows, sold[COUNTBACK_MONTHS:], strict=True)),
            months=sold[:COUNTBACK_MONTHS],
        )
        empty = ArTotals(
            begin=dict.fromkeys(scan.windows, 0), invoiced=dict.fromkeys(scan.windows, 0)
        )
        result.setdefault(key, empty).add(part)
    return result
