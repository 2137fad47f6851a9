"""Credit scoring run: gather each customer's payment behaviour and store its credit score.

DESIGN places the computation here: the score uses disputes and broken promises, which sit
above credit, while credit keeps the scores and reads them in its rules. The score itself
is credit's pure `scoring.score`; this module only gathers its inputs with set-based reads.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import date, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.orm import InstrumentedAttribute

from o2c.collections.model import PromiseStatus
from o2c.collections.tables import PromiseToPay
from o2c.credit.exposure import Converter, amounts_by_customer, measure
from o2c.credit.policy import policy_of
from o2c.credit.scores import ScoredCustomer, record_scores
from o2c.credit.scoring import PaymentBehaviour, score
from o2c.db.uow import UnitOfWork
from o2c.disputes.tables import DisputeCase
from o2c.kernel.money import Money
from o2c.ledger.model import ItemKind
from o2c.ledger.tables import OpenItem
from o2c.orders.credit_check import open_order_values
from o2c.parties.tables import Customer
from o2c.security.model import Actor, Permission

YEAR = timedelta(days=365)
RECENT = timedelta(days=90)


def refresh_scores(
    uow: UnitOfWork, actor: Actor, as_of: date, customer_ids: Collection[int] | None = None
) -> int:
    """Score the given customers (every active one when None) as of a day; returns how many."""
    actor.require(Permission.CREDIT_HOLD)
    with uow:
        customers = _customers(uow, actor.company_id, customer_ids)
        ids = [c.id for c in customers]
        window = policy_of(uow, actor.company_id).broken_promise_days
        late = _days_late(uow, actor.company_id, ids, as_of)
        disputes = _counts(
            uow,
            select(DisputeCase.customer_id, func.count()).where(
                DisputeCase.company_id == actor.company_id,
                DisputeCase.opened_on > as_of - YEAR,
                DisputeCase.opened_on <= as_of,
            ),
            DisputeCase.customer_id,
            ids,
        )
        broken = _counts(
            uow,
            select(PromiseToPay.customer_id, func.count()).where(
                PromiseToPay.company_id == actor.company_id,
                PromiseToPay.status == PromiseStatus.BROKEN.value,
                PromiseToPay.resolved_on > as_of - timedelta(days=window),
                PromiseToPay.resolved_on <= as_of,
            ),
            PromiseToPay.customer_id,
            ids,
        )
        limited = [c for c in customers if c.credit_limit_minor is not None]
        amounts = amounts_by_customer(
            uow,
            actor.company_id,
            [c.id for c in limited],
            open_order_values(uow, actor.company_id, [c.id for c in limited]),
        )
        converter = Converter(uow, actor.company_id, as_of)
        ratios = {
            c.id: measure(
                converter,
                [c.id],
                amounts,
                c.currency,
                None if c.credit_limit_minor is None else _money(c.credit_limit_minor, c.currency),
            ).utilisation.ratio
            for c in limited
        }
        scored = []
        for customer_id in ids:
            recent, older = late.get(customer_id, ([], []))
            behaviour = PaymentBehaviour(
                days_late_recent=recent,
                days_late_older=older,
                disputes=disputes.get(customer_id, 0),
                broken_promises=broken.get(customer_id, 0),
                utilisation=ratios.get(customer_id),
            )
            scored.append(ScoredCustomer(customer_id, score(behaviour), broken.get(customer_id, 0)))
        count = record_scores(uow, actor, scored, as_of)
        uow.commit()
        return count


def _money(minor: int, currency: str) -> Money:
    return Money.from_minor(minor, currency)


def _counts(
    uow: UnitOfWork, query: Select[int, int], by: InstrumentedAttribute[int], ids: list[int]
) -> dict[int, int]:
    """Rows of `query` counted per customer (`by`), for the customers in `ids`."""
    wanted = set(ids)
    rows = uow.session.execute(query.group_by(by))
    return {customer_id: count for customer_id, count in rows if customer_id in wanted}


def _customers(
    uow: UnitOfWork, company_id: int, customer_ids: Collection[int] | None
) -> list[Customer]:
    query = select(Customer).where(Customer.company_id == company_id, Customer.active.is_(True))
    if customer_ids is not None:
        query = query.where(Customer.id.in_(sorted(set(customer_ids))))
    return list(uow.session.scalars(query.order_by(Customer.id)))


def _days_late(
    uow: UnitOfWork, company_id: int, ids: list[int], as_of: date
) -> dict[int, tuple[list[int], list[int]]]:
    """Per customer, days between due date and closing of invoices closed in the last year,
    split into the last 90 days and before."""
    query = select(OpenItem.customer_id, OpenItem.closed_on, OpenItem.due_date).where(
        OpenItem.company_id == company_id,
        OpenItem.kind == ItemKind.INVOICE.value,
        OpenItem.closed_on > as_of - YEAR,
        OpenItem.closed_on <= as_of,
    )
    wanted = set(ids)
    found: dict[int, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    for customer_id, closed_on, due_date in uow.session.execute(query):
        if customer_id not in wanted:
            continue
        assert closed_on is not None  # the query asks for closed invoices
        recent, older = found[customer_id]
        (recent if closed_on > as_of - RECENT else older).append((closed_on - due_date).days)
    return found
