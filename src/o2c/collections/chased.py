"""The open invoices a dunning run reads, and the per-customer sums it needs, set-based.

A run over a million open items cannot afford to read and decide over every one of them
each day. Two statements do the work instead:

- `balances`: per customer and currency, the open balance (credits included), its base
  currency value and the overdue amount of open invoices, summed by the database;
- `candidates`: only the invoices some step could act on today, in the window the strategy's
  triggers open (see `horizon`): never acted on and at most `lead` days before due, or whose
  dunning state says their next day has come, or whose state was computed under another
  strategy. Customers handed over to an agency are left out. `of_customers` reads every
  invoice in the window of customers that moved to another segment.

Disputed and promised invoices are few; `specials` reads them by id so the caller can net
them out of the sums exactly as the engine nets them out of the invoices it chases.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select

from o2c.collections.tables import CollectionAccount, DunningState
from o2c.db.uow import UnitOfWork
from o2c.ledger.model import ItemKind
from o2c.ledger.tables import OpenItem

CHUNK = 900  # ids per statement, below SQLite's bound-parameter limit


@dataclass(frozen=True, slots=True)
class Row:
    """One open invoice as read: its facts and its dunning state, if any."""

    item_id: int
    customer_id: int
    number: str
    currency: str
    doc_date: date
    due_date: date
    amount_minor: int
    open_minor: int  # gross: disputes are netted by the caller
    steps: str | None  # None: no step acted on it yet
    strategy_id: int | None


@dataclass
class Sums:
    """One customer's open balance per currency, in base currency, and overdue per currency."""

    balance: dict[str, int]
    balance_base: int
    overdue: dict[str, int]


def _company(company_id: int, scan: bool) -> ColumnElement[bool]:
    """The company's items; with `scan`, in a form SQLite cannot look up by index.

    Reading most of the open items, SQLite's plan through the aging index looks every row
    up in the table one by one, about three times slower than reading the table through.
    """
    if scan:
        return OpenItem.company_id + 0 == company_id
    return OpenItem.company_id == company_id


def _scan(uow: UnitOfWork) -> bool:
    return uow.session.get_bind().dialect.name == "sqlite"


def _columns(company_id: int, scan: bool = False) -> Select[*tuple[Any, ...]]:
    state = DunningState
    return (
        select(
            OpenItem.id,
            OpenItem.customer_id,
            OpenItem.document_number,
            OpenItem.currency,
            OpenItem.doc_date,
            OpenItem.due_date,
            OpenItem.amount_minor,
            OpenItem.open_minor,
            state.steps,
            state.strategy_id,
        )
        .outerjoin(state, and_(state.company_id == company_id, state.item_id == OpenItem.id))
        .where(
            _company(company_id, scan),
            OpenItem.closed_on.is_(None),
            OpenItem.kind == ItemKind.INVOICE.value,
            OpenItem.open_minor > 0,
        )
    )


def _rows(uow: UnitOfWork, query: Select[*tuple[Any, ...]]) -> Iterator[Row]:
    """Plain tuples through the connection: the ORM's result handling costs more per row
    than the database takes to read it."""
    for values in uow.session.connection().execute(query):
        yield Row(*values)


def handed_over(company_id: int) -> Select[int]:
    """The customers an agency collects from now."""
    return select(CollectionAccount.customer_id).where(
        CollectionAccount.company_id == company_id, CollectionAccount.handed_over_on.is_not(None)
    )


def candidates(
    uow: UnitOfWork,
    company_id: int,
    as_of: date,
    lead: int | None,
    strategy_id: int,
    everything: bool = False,
) -> list[Row]:
    """The open invoices some time-triggered step could act on as of `as_of`; with
    `everything`, all in the window whatever their state says (many customers moved)."""
    if lead is None:
        return []  # the strategy has event steps only
    state = DunningState
    query = _columns(company_id, _scan(uow)).where(
        OpenItem.doc_date <= as_of,
        OpenItem.due_date <= as_of + timedelta(days=lead),
        OpenItem.customer_id.not_in(handed_over(company_id)),
    )
    if not everything:
        query = query.where(
            or_(state.id.is_(None), state.next_on <= as_of, state.strategy_id != strategy_id)
        )
    return list(_rows(uow, query))


def of_customers(
    uow: UnitOfWork, company_id: int, as_of: date, lead: int | None, ids: Collection[int]
) -> list[Row]:
    """Every open invoice in the window of the given customers."""
    if lead is None:
        return []
    wanted = sorted(set(ids))
    found: list[Row] = []
    for start in range(0, len(wanted), CHUNK):
        found += _rows(
            uow,
            _columns(company_id).where(
                OpenItem.customer_id.in_(wanted[start : start + CHUNK]),
                OpenItem.doc_date <= as_of,
                OpenItem.due_date <= as_of + timedelta(days=lead),
            ),
        )
    return found


def specials(uow: UnitOfWork, company_id: int, as_of: date, ids: Collection[int]) -> list[Row]:
    """Open invoices by id (disputed, promised, named by an event), issued by `as_of`."""
    wanted = sorted(set(ids))
    found: list[Row] = []
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        found += _rows(
            uow, _columns(company_id).where(OpenItem.id.in_(chunk), OpenItem.doc_date <= as_of)
        )
    return found


def balances(uow: UnitOfWork, company_id: int, as_of: date) -> dict[int, Sums]:
    """Customer id → its sums over the items open and issued on `as_of`.

    `overdue` counts every open invoice past due in full: the caller nets out the disputed
    and promised ones (`specials`), which the engine does not chase.
    """
    late = case(
        (
            and_(
                OpenItem.kind == ItemKind.INVOICE.value,
                OpenItem.open_minor > 0,
                OpenItem.due_date < as_of,
            ),
            OpenItem.open_minor,
        ),
        else_=0,
    )
    query = (
        select(
            OpenItem.customer_id,
            OpenItem.currency,
            func.sum(OpenItem.open_minor),
            func.sum(OpenItem.open_base_minor),
            func.sum(late),
        )
        .where(
            _company(company_id, _scan(uow)),
            OpenItem.closed_on.is_(None),
            OpenItem.doc_date <= as_of,
        )
        .group_by(OpenItem.customer_id, OpenItem.currency)
    )
    sums: dict[int, Sums] = {}
    for customer_id, currency, balance, base, overdue in uow.session.connection().execute(query):
        found = sums.get(customer_id)
        if found is None:
            found = sums[customer_id] = Sums({}, 0, defaultdict(int))
        found.balance[currency] = int(balance)
        found.balance_base += int(base)
        if overdue:
            found.overdue[currency] += int(overdue)
    return sums
