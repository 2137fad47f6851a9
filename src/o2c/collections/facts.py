"""What the strategy engine needs to know, read set-based: one query per kind of fact.

A dunning run over a million open items cannot afford a query per customer: every fact
(open items, disputes, promises, steps already taken, events, behaviour) is read for the
whole company in one statement each and joined in Python by customer and item id.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Integer, case, cast, func, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from o2c.collections.model import PromiseStatus
from o2c.collections.policy import Channel, RiskClass
from o2c.collections.strategy import (
    BOUNCED_PAYMENT,
    BROKEN_PROMISE,
    CustomerFacts,
    Event,
    ItemFacts,
)
from o2c.collections.tables import (
    CollectionAccount,
    CollectionAction,
    DunningItem,
    PromiseItem,
    PromiseToPay,
)
from o2c.db.uow import UnitOfWork
from o2c.disputes.service import disputed_minor_by_item
from o2c.ledger.model import ItemKind
from o2c.ledger.tables import Application, OpenItem
from o2c.parties.model import ContactRole
from o2c.parties.tables import Contact, Customer

EVENT_DAYS = 90  # broken promises and bounced payments older than this no longer trigger


@dataclass
class _Customer:
    """Facts about one customer gathered before the engine's frozen view is built."""

    items: list[ItemFacts] = field(default_factory=list)
    balance: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    balance_base: int = 0
    disputed: bool = False
    events: list[Event] = field(default_factory=list)


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


def _open_items(
    uow: UnitOfWork, company_id: int, as_of: date, customers: dict[int, _Customer]
) -> dict[int, int]:
    """Fill balances and chased invoices; returns invoice item id → customer id."""
    disputed = disputed_minor_by_item(uow, company_id)
    query = select(
        OpenItem.id,
        OpenItem.customer_id,
        OpenItem.kind,
        OpenItem.document_number,
        OpenItem.currency,
        OpenItem.doc_date,
        OpenItem.due_date,
        OpenItem.amount_minor,
        OpenItem.open_minor,
        OpenItem.open_base_minor,
    ).where(
        OpenItem.company_id == company_id,
        OpenItem.closed_on.is_(None),
        OpenItem.doc_date <= as_of,
    )
    owner: dict[int, int] = {}
    invoice = ItemKind.INVOICE.value
    for row in uow.session.execute(query):
        item_id, customer_id, kind, number, currency, doc, due, amount, open_, base = row
        facts = customers.get(customer_id)
        if facts is None:
            facts = customers[customer_id] = _Customer()
        facts.balance[currency] += open_
        facts.balance_base += base
        if kind != invoice or open_ <= 0:
            continue
        held = disputed.get(item_id, 0)
        if held:
            facts.disputed = True
        owner[item_id] = customer_id
        facts.items.append(ItemFacts(item_id, number, currency, doc, due, amount, open_ - held))
    return owner


def _promised(uow: UnitOfWork, company_id: int) -> tuple[set[int], set[int]]:
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


def _done_steps(uow: UnitOfWork, company_id: int) -> dict[int, set[str]]:
    """Open invoice id → the time-triggered steps that already acted on it."""
    rows = uow.session.execute(
        select(DunningItem.item_id, DunningItem.step)
        .join(OpenItem, OpenItem.id == DunningItem.item_id)
        .where(
            DunningItem.company_id == company_id,
            DunningItem.cause == "",
            OpenItem.closed_on.is_(None),
        )
    )
    done: dict[int, set[str]] = defaultdict(set)
    for item_id, step in rows:
        done[item_id].add(step)
    return done


def _done_causes(uow: UnitOfWork, company_id: int, since: date) -> dict[int, set[tuple[str, str]]]:
    rows = uow.session.execute(
        select(CollectionAction.customer_id, CollectionAction.step, CollectionAction.cause).where(
            CollectionAction.company_id == company_id,
            CollectionAction.cause != "",
            CollectionAction.as_of >= since,
        )
    )
    done: dict[int, set[tuple[str, str]]] = defaultdict(set)
    for customer_id, step, cause in rows:
        done[customer_id].add((step, cause))
    return done


def _events(uow: UnitOfWork, company_id: int, as_of: date, customers: dict[int, _Customer]) -> None:
    """Broken promises and bounced payments of the last EVENT_DAYS, with their invoices."""
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
        customers.setdefault(owners[promise_id], _Customer()).events.append(event)
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
        customers.setdefault(customer_id, _Customer()).events.append(event)


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
        for (cid,) in uow.session.execute(
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
    for cid, country, attributes, email in uow.session.execute(
        select(Customer.id, Customer.country, Customer.attributes, Customer.email).where(
            Customer.company_id == company_id
        )
    ):
        if cid in wanted:
            out[cid] = (country, attributes or {}, bool(email) or cid in with_contact)
    return out


def _accounts(uow: UnitOfWork, company_id: int) -> dict[int, tuple[int, bool]]:
    """Customer id → (promises broken, handed over to an agency)."""
    return {
        cid: (broken, handed is not None)
        for cid, broken, handed in uow.session.execute(
            select(
                CollectionAccount.customer_id,
                CollectionAccount.promises_broken,
                CollectionAccount.handed_over_on,
            ).where(CollectionAccount.company_id == company_id)
        )
    }


def gather(uow: UnitOfWork, company_id: int, as_of: date) -> list[CustomerFacts]:
    """The engine's view of every customer with something to chase on `as_of`.

    Customers handed over to an agency are left to the agency.
    """
    customers: dict[int, _Customer] = {}
    _open_items(uow, company_id, as_of, customers)
    _events(uow, company_id, as_of, customers)
    promised_items, promising = _promised(uow, company_id)
    done = _done_steps(uow, company_id)
    causes = _done_causes(uow, company_id, as_of - timedelta(days=EVENT_DAYS + 1))
    chased = [cid for cid, c in customers.items() if c.items or c.events]
    profiles = customer_profiles(uow, company_id, chased)
    accounts = _accounts(uow, company_id)
    lateness = average_days_late(uow, company_id, as_of)
    out = []
    for cid in chased:
        gathered = customers[cid]
        broken, handed_over = accounts.get(cid, (0, False))
        if handed_over:
            continue
        country, attributes, reachable = profiles.get(cid, (None, {}, False))
        preferred = attributes.get("dunning_channel")
        channel = Channel.LETTER if preferred == "letter" or not reachable else Channel.EMAIL
        items = tuple(
            _with_history(item, item.item_id in promised_items, done.get(item.item_id))
            for item in gathered.items
        )
        avg_late = lateness.get(cid, 0)
        out.append(
            CustomerFacts(
                customer_id=cid,
                items=items,
                balance_minor=dict(gathered.balance),
                balance_base_minor=gathered.balance_base,
                country=country,
                channel=channel,
                risk_class=risk_of(attributes, avg_late, broken),
                avg_days_late=avg_late,
                broken_promises=broken,
                disputed=gathered.disputed,
                promise_pending=cid in promising,
                events=tuple(gathered.events),
                done_causes=frozenset(causes.get(cid, ())),
            )
        )
    return out


def _with_history(item: ItemFacts, promised: bool, done: set[str] | None) -> ItemFacts:
    if not promised and not done:
        return item
    return ItemFacts(
        item.item_id,
        item.number,
        item.currency,
        item.doc_date,
        item.due_date,
        item.amount_minor,
        item.open_minor,
        promised,
        frozenset(done or ()),
    )
