"""What the strategy engine needs to know, read set-based: one query per kind of fact.

A dunning run over a million open items cannot afford a query per customer: every fact
(open items, disputes, promises, steps already taken, events, behaviour) is read for the
whole company in one statement each and joined in Python by customer and item id
(`gathering` puts them together for a run).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Integer, case, cast, func, select, text
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from o2c.collections.model import PromiseStatus
from o2c.collections.policy import RiskClass
from o2c.collections.strategy import (
    BOUNCED_PAYMENT,
    BROKEN_PROMISE,
    Event,
)
from o2c.collections.tables import (
    CollectionAccount,
    CollectionAction,
    PromiseItem,
    PromiseToPay,
)
from o2c.db.uow import UnitOfWork
from o2c.ledger.model import ItemKind
from o2c.ledger.tables import Application, OpenItem
from o2c.parties.model import ContactRole
from o2c.parties.tables import Contact, Customer

EVENT_DAYS = 90  # broken promises and bounced payments older than this no longer trigger


def days_between(later: Any, earlier: Any, dialect: str) -> ColumnElement[int]:
    """Whole days from `earlier` to `later` (dates), in the dialect's own arithmetic."""
    if dialect == "sqlite":
        return cast(func.julianday(later) - func.julianday(earlier), Integer)
    return cast(later - earlier, Integer)


def risk_of(attributes: dict[str, Any], avg_days_late: int, broken: int) -> RiskClass:
    """A risk class given on the customer wins; else it follows from behaviour.

    Broken promises weigh heaviest: two make a customer high risk whatever its history.
    """
    given = attributes.get("risk_class")
    if isinstance(given, str) and given in RiskClass.__members__.values():
        return RiskClass(given)
    if broken >= 2 or avg_days_late > 30:
        return RiskClass.HIGH
    if broken >= 1 or avg_days_late > 10:
        return RiskClass.MEDIUM
    return RiskClass.LOW


def promised_items(uow: UnitOfWork, company_id: int) -> tuple[set[int], set[int]]:
    """Invoice ids under a pending promise, and the customers who have one."""
    rows = uow.session.execute(
        select(PromiseToPay.customer_id, PromiseItem.item_id)
        .join(PromiseItem, PromiseItem.promise_id == PromiseToPay.id)
        .where(
            PromiseToPay.company_id == company_id,
            PromiseToPay.status == PromiseStatus.PENDING.value,
        )
    )
    items: set[int] = set()
    customers: set[int] = set()
    for customer_id, item_id in rows:
        customers.add(customer_id)
        items.add(item_id)
    return items, customers


def done_causes(uow: UnitOfWork, company_id: int, since: date) -> dict[int, set[tuple[str, str]]]:
    """Customer id → the event steps (step, cause) that acted since `since`.

    The predicate on `cause` is a literal so that both databases use the partial index of
    the few event actions rather than every action of the last EVENT_DAYS.
    """
    rows = uow.session.execute(
        select(CollectionAction.customer_id, CollectionAction.step, CollectionAction.cause).where(
            CollectionAction.company_id == company_id,
            text("collection_action.cause <> ''"),
            CollectionAction.as_of >= since,
        )
    )
    done: dict[int, set[tuple[str, str]]] = defaultdict(set)
    for customer_id, step, cause in rows:
        done[customer_id].add((step, cause))
    return done


def recent_events(uow: UnitOfWork, company_id: int, as_of: date) -> dict[int, list[Event]]:
    """Customer id → broken promises and bounced payments of the last EVENT_DAYS."""
    found: dict[int, list[Event]] = defaultdict(list)
    since = as_of - timedelta(days=EVENT_DAYS)
    broken: dict[int, list[int]] = defaultdict(list)
    owners: dict[int, int] = {}
    for promise_id, customer_id, item_id in uow.session.execute(
        select(PromiseToPay.id, PromiseToPay.customer_id, PromiseItem.item_id)
        .join(PromiseItem, PromiseItem.promise_id == PromiseToPay.id)
        .where(
            PromiseToPay.company_id == company_id,
            PromiseToPay.status == PromiseStatus.BROKEN.value,
            PromiseToPay.resolved_on.between(since, as_of),
        )
        .order_by(PromiseToPay.id, PromiseItem.item_id)
    ):
        broken[promise_id].append(item_id)
        owners[promise_id] = customer_id
    for promise_id, item_ids in broken.items():
        event = Event(BROKEN_PROMISE, f"promise:{promise_id}", tuple(item_ids))
        found[owners[promise_id]].append(event)
    original = aliased(Application)
    credit = aliased(OpenItem)
    bounces = uow.session.execute(
        select(Application.id, original.customer_id, original.debit_item_id)
        .join(original, original.id == Application.reverses_id)
        .join(credit, credit.id == original.credit_item_id)
        .where(
            Application.company_id == company_id,
            Application.applied_on.between(since, as_of),
            original.debit_item_id.is_not(None),
            credit.kind == ItemKind.PAYMENT.value,
        )
        .order_by(Application.id)
    )
    for reversal_id, customer_id, debit_item_id in bounces:
        event = Event(BOUNCED_PAYMENT, f"bounce:{reversal_id}", (debit_item_id or 0,))
        found[customer_id].append(event)
    return found


def average_days_late(uow: UnitOfWork, company_id: int, as_of: date) -> dict[int, int]:
    """Average days past due of the invoices each customer closed in the last year."""
    dialect = uow.session.get_bind().dialect.name
    late = days_between(OpenItem.closed_on, OpenItem.due_date, dialect)
    rows = uow.session.execute(
        select(OpenItem.customer_id, func.avg(case((late > 0, late), else_=0)))
        .where(
            OpenItem.company_id == company_id,
            OpenItem.kind == ItemKind.INVOICE.value,
            OpenItem.closed_on.between(as_of - timedelta(days=365), as_of),
        )
        .group_by(OpenItem.customer_id)
    )
    return {customer_id: round(float(avg or 0)) for customer_id, avg in rows}


def customer_profiles(
    uow: UnitOfWork, company_id: int, ids: Iterable[int]
) -> dict[int, tuple[str | None, dict[str, Any], bool]]:
    """Customer id → (country, attributes, reachable by email)."""
    wanted = set(ids)
    with_contact = {
        cid
        for (cid,) in uow.session.connection().execute(
            select(Contact.customer_id)
            .where(
                Contact.company_id == company_id,
                Contact.role == ContactRole.AR.value,
                Contact.email.is_not(None),
            )
            .distinct()
        )
    }
    out: dict[int, tuple[str | None, dict[str, Any], bool]] = {}
    for cid, country, attributes, email in uow.session.connection().execute(
        select(Customer.id, Customer.country, Customer.attributes, Customer.email).where(
            Customer.company_id == company_id
        )
    ):
        if cid in wanted:
            out[cid] = (country, attributes or {}, bool(email) or cid in with_contact)
    return out


def accounts_of(uow: UnitOfWork, company_id: int) -> dict[int, tuple[int, bool, str | None]]:
    """Customer id → (promises broken, handed over to an agency, its dunning segment)."""
    return {
        cid: (broken, handed is not None, segment)
        for cid, broken, handed, segment in uow.session.connection().execute(
            select(
                CollectionAccount.customer_id,
                CollectionAccount.promises_broken,
                CollectionAccount.handed_over_on,
                CollectionAccount.dunning_segment,
            ).where(CollectionAccount.company_id == company_id)
        )
    }
