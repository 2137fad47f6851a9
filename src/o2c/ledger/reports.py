"""Read models of the ledger: aging as of any date, statements of account, trial balance.

Aging of a past date is reconstructed, not read from today's balances: an item's open amount
on day D is its open amount now minus every settlement dated after D, and only items issued
on or before D and not closed by D take part. That is one set-based query, fast on millions
of open items because a past date only has to undo the (few) settlements made since.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import String, and_, case, func, literal, or_, select
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import Subquery

from o2c.db.uow import UnitOfWork
from o2c.ledger.aging import DEFAULT_BUCKETS, Bucket, parse_buckets
from o2c.ledger.model import AccountRole
from o2c.ledger.service import accounts_by_role
from o2c.ledger.tables import Account, Application, JournalLine, OpenItem, Settlement
from o2c.security.model import Actor, Permission


@dataclass(frozen=True)
class AgingRow:
    customer_id: int
    currency: str
    bucket: str
    amount_minor: int


def _bucket_expression(buckets: tuple[Bucket, ...], as_of: date) -> ColumnElement[str]:
    """CASE over due dates: comparing dates, not computing day differences, keeps it fast."""
    whens = []
    for bucket in buckets[:-1]:
        assert bucket.high is not None
        whens.append((OpenItem.due_date >= as_of - timedelta(days=bucket.high), bucket.name))
    return case(*whens, else_=literal(buckets[-1].name, String))


def _later_settlements(company_id: int, as_of: date) -> Subquery:
    return (
        select(Settlement.item_id, func.sum(Settlement.amount_minor).label("later"))
        .where(Settlement.company_id == company_id, Settlement.settled_on > as_of)
        .group_by(Settlement.item_id)
        .subquery()
    )


def _open_on(
    company_id: int, as_of: date
) -> tuple[Subquery, ColumnElement[int], ColumnElement[bool]]:
    """Open amount of each item on `as_of`, and the filter of items open that day."""
    later = _later_settlements(company_id, as_of)
    amount = OpenItem.open_minor - func.coalesce(later.c.later, 0)
    condition = and_(
        OpenItem.company_id == company_id,
        OpenItem.doc_date <= as_of,
        or_(OpenItem.closed_on.is_(None), OpenItem.closed_on > as_of),
    )
    return later, amount, condition


def aging(
    uow: UnitOfWork,
    actor: Actor,
    as_of: date,
    buckets: str | tuple[Bucket, ...] | None = None,
    customer_ids: list[int] | None = None,
) -> list[AgingRow]:
    """Open balances by customer, currency and bucket of days past due on `as_of`.

    Two set-based sums: what is open now (a scan of the covering partial index on open
    items), minus what was settled after `as_of` (only the items settled since then), each
    grouped by bucket on the items' due dates.
    """
    actor.require(Permission.LEDGER_READ)
    parsed = buckets if isinstance(buckets, tuple) else parse_buckets(buckets or DEFAULT_BUCKETS)
    bucket = _bucket_expression(parsed, as_of).label("bucket")
    keys = (OpenItem.customer_id, OpenItem.currency, bucket)
    open_now = (
        select(*keys, func.sum(OpenItem.open_minor))
        .where(
            OpenItem.company_id == actor.company_id,
            OpenItem.closed_on.is_(None),
            OpenItem.doc_date <= as_of,
        )
        .group_by(*keys)
    )
    settled_since = (
        select(*keys, -func.sum(Settlement.amount_minor))
        .join(OpenItem, OpenItem.id == Settlement.item_id)
        .where(
            Settlement.company_id == actor.company_id,
            Settlement.settled_on > as_of,
            OpenItem.doc_date <= as_of,
        )
        .group_by(*keys)
    )
    if customer_ids is not None:
        open_now = open_now.where(OpenItem.customer_id.in_(customer_ids))
        settled_since = settled_since.where(OpenItem.customer_id.in_(customer_ids))
    totals: dict[tuple[int, str, str], int] = defaultdict(int)
    with uow:
        for query in (open_now, settled_since):
            for customer_id, currency, name, amount in uow.session.execute(query):
                totals[(int(customer_id), currency, name)] += int(amount)
    order = {b.name: i for i, b in enumerate(parsed)}
    return sorted(
        (AgingRow(c, cur, b, amount) for (c, cur, b), amount in totals.items() if amount),
        key=lambda r: (r.customer_id, r.currency, order[r.bucket]),
    )


@dataclass(frozen=True)
class OpenItemOn:
    item_id: int
    customer_id: int
    kind: str
    document_number: str
    doc_date: date
    due_date: date
    currency: str
    amount_minor: int
    open_minor: int


def open_items_on(
    uow: UnitOfWork, actor: Actor, as_of: date, customer_id: int | None = None
) -> list[OpenItemOn]:
    """The items open on `as_of` with their open amount that day."""
    actor.require(Permission.LEDGER_READ)
    later, amount, condition = _open_on(actor.company_id, as_of)
    query = (
        select(
            OpenItem.id,
            OpenItem.customer_id,
            OpenItem.kind,
            OpenItem.document_number,
            OpenItem.doc_date,
            OpenItem.due_date,
            OpenItem.currency,
            OpenItem.amount_minor,
            amount,
        )
        .outerjoin(later, later.c.item_id == OpenItem.id)
        .where(condition)
        .order_by(OpenItem.due_date, OpenItem.id)
    )
    if customer_id is not None:
        query = query.where(OpenItem.customer_id == customer_id)
    with uow:
        rows = uow.session.execute(query).all()
    # PostgreSQL sums BIGINT to NUMERIC: the open amount comes back as Decimal there.
    return [OpenItemOn(*row[:-1], int(row[-1])) for row in rows if row[-1]]


@dataclass(frozen=True)
class StatementLine:
    day: date
    kind: str
    document_number: str
    currency: str
    amount_minor: int


@dataclass(frozen=True)
class CustomerStatement:
    customer_id: int
    start: date
    end: date
    opening: dict[str, int]
    lines: list[StatementLine]
    closing: dict[str, int]
    open_items: list[OpenItemOn]


def _balances_on(uow: UnitOfWork, company_id: int, customer_id: int, day: date) -> dict[str, int]:
    issued = dict(
        uow.session.execute(
            select(OpenItem.currency, func.sum(OpenItem.amount_minor))
            .where(
                OpenItem.company_id == company_id,
                OpenItem.customer_id == customer_id,
                OpenItem.doc_date <= day,
            )
            .group_by(OpenItem.currency)
        ).all()
    )
    settled = uow.session.execute(
        select(OpenItem.currency, func.sum(Settlement.amount_minor))
        .join(OpenItem, OpenItem.id == Settlement.item_id)
        .where(
            OpenItem.company_id == company_id,
            OpenItem.customer_id == customer_id,
            Settlement.settled_on <= day,
        )
        .group_by(OpenItem.currency)
    ).all()
    balances = {currency: int(total) for currency, total in issued.items()}
    for currency, total in settled:
        balances[currency] = balances.get(currency, 0) + int(total)
    return {c: v for c, v in balances.items() if v}


def customer_statement(
    uow: UnitOfWork, actor: Actor, customer_id: int, start: date, end: date
) -> CustomerStatement:
    """Opening balance, every document and settlement effect in the period, closing balance.

    Applications between the customer's own items leave the balance unchanged and are not
    listed; discounts, write-offs and settlements across customers (a parent paying a
    child's invoice) change it and are.
    """
    actor.require(Permission.LEDGER_READ)
    actor.require_customer_scope(customer_id, "customer", customer_id)
    with uow:
        opening = _balances_on(uow, actor.company_id, customer_id, start - timedelta(days=1))
        documents = uow.session.execute(
            select(
                OpenItem.doc_date,
                OpenItem.kind,
                OpenItem.document_number,
                OpenItem.currency,
                OpenItem.amount_minor,
            )
            .where(
                OpenItem.company_id == actor.company_id,
                OpenItem.customer_id == customer_id,
                OpenItem.doc_date.between(start, end),
            )
            .order_by(OpenItem.doc_date, OpenItem.id)
        ).all()
        effects = uow.session.execute(
            select(
                Application.applied_on,
                Application.id,
                Application.memo,
                OpenItem.currency,
                func.sum(Settlement.amount_minor),
            )
            .join(Settlement, Settlement.application_id == Application.id)
            .join(OpenItem, OpenItem.id == Settlement.item_id)
            .where(
                OpenItem.company_id == actor.company_id,
                OpenItem.customer_id == customer_id,
                Application.applied_on.between(start, end),
            )
            .group_by(Application.applied_on, Application.id, Application.memo, OpenItem.currency)
            .having(func.sum(Settlement.amount_minor) != 0)
        ).all()
        closing = _balances_on(uow, actor.company_id, customer_id, end)
    lines = [StatementLine(d, k, n, c, int(a)) for d, k, n, c, a in documents]
    lines += [StatementLine(d, "adjustment", memo, c, int(a)) for d, _, memo, c, a in effects]
    lines.sort(key=lambda line: line.day)
    return CustomerStatement(
        customer_id,
        start,
        end,
        opening,
        lines,
        closing,
        open_items_on(uow, actor, end, customer_id),
    )


@dataclass(frozen=True)
class TrialBalanceRow:
    account_code: str
    account_name: str
    role: str | None
    currency: str
    debit_minor: int
    credit_minor: int
    base_minor: int


def trial_balance(uow: UnitOfWork, actor: Actor, as_of: date) -> list[TrialBalanceRow]:
    """Balance of every account per currency on `as_of`; debits and credits per currency agree."""
    actor.require(Permission.LEDGER_READ)
    debit = func.sum(case((JournalLine.amount_minor > 0, JournalLine.amount_minor), else_=0))
    credit = func.sum(case((JournalLine.amount_minor < 0, -JournalLine.amount_minor), else_=0))
    query = (
        select(
            Account.code,
            Account.name,
            Account.role,
            JournalLine.currency,
            debit,
            credit,
            func.sum(JournalLine.base_minor),
        )
        .join(Account, Account.id == JournalLine.account_id)
        .where(JournalLine.company_id == actor.company_id, JournalLine.entry_date <= as_of)
        .group_by(Account.code, Account.name, Account.role, JournalLine.currency)
        .order_by(Account.code, JournalLine.currency)
    )
    with uow:
        rows = uow.session.execute(query).all()
    return [
        TrialBalanceRow(code, name, role, cur, int(d), int(c), int(b))
        for code, name, role, cur, d, c, b in rows
    ]


def account_balance(
    uow: UnitOfWork, actor: Actor, role: AccountRole, as_of: date | None = None
) -> dict[str, int]:
    """Balance per currency of the account holding `role` (AR control, unapplied cash, …)."""
    actor.require(Permission.LEDGER_READ)
    with uow:
        account_id = accounts_by_role(uow, actor.company_id)[role]
        query = (
            select(JournalLine.currency, func.sum(JournalLine.amount_minor))
            .where(JournalLine.company_id == actor.company_id, JournalLine.account_id == account_id)
            .group_by(JournalLine.currency)
        )
        if as_of is not None:
            query = query.where(JournalLine.entry_date <= as_of)
        return {c: int(v) for c, v in uow.session.execute(query).all() if v}


def customer_balances(uow: UnitOfWork, actor: Actor) -> dict[tuple[int, str], int]:
    """Current balance of every customer per currency (the sum of its open items)."""
    actor.require(Permission.LEDGER_READ)
    with uow:
        rows = uow.session.execute(
            select(OpenItem.customer_id, OpenItem.currency, func.sum(OpenItem.open_minor))
            .where(OpenItem.company_id == actor.company_id, OpenItem.closed_on.is_(None))
            .group_by(OpenItem.customer_id, OpenItem.currency)
        ).all()
    return {(int(c), cur): int(v) for c, cur, v in rows if v}
