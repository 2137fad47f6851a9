"""The credit check of an order before it is confirmed or shipped, and what open orders add
to a customer's exposure.

Credit sits below orders and never reads them (DESIGN: orders passes its own open order
value in). The check runs in its own unit of work before the confirmation or shipment: when
a rule fails, the hold is committed and `OrderOnCreditHold` raised, so the hold stays while
the order is neither confirmed nor shipped.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from o2c.credit.checking import CustomerExposure, check_customer, customer_exposure
from o2c.credit.exposure import OrderValue, group_of
from o2c.credit.holds import (
    HeldOrder,
    active_order_hold,
    place_order_hold,
    reasons_of,
    released_at_stage,
)
from o2c.credit.model import OrderOnCreditHold
from o2c.credit.rules import RuleFailure, Stage
from o2c.credit.service import require_no_hold
from o2c.db.rows import owned
from o2c.db.uow import UnitOfWork
from o2c.kernel.money import Money
from o2c.orders.model import INVOICEABLE, SHIPPABLE, OrderStatus
from o2c.orders.pricing import prorate
from o2c.orders.tables import SalesOrder, SalesOrderLine
from o2c.security.model import Actor, Permission

CHUNK = 5000


def open_order_values(
    uow: UnitOfWork, company_id: int, customer_ids: Collection[int] | None
) -> list[OrderValue]:
    """Per open order, its gross value not yet invoiced, split into unshipped and shipped."""
    query = (
        select(SalesOrder.customer_id, SalesOrder.currency, SalesOrderLine)
        .join(SalesOrderLine, SalesOrderLine.order_id == SalesOrder.id)
        .where(
            SalesOrder.company_id == company_id,
            SalesOrder.status.in_([s.value for s in INVOICEABLE]),
            SalesOrderLine.quantity_invoiced < SalesOrderLine.quantity,
        )
    )
    if customer_ids is None:
        batches = [query]
    else:
        wanted = sorted(set(customer_ids))
        batches = [
            query.where(SalesOrder.customer_id.in_(wanted[start : start + CHUNK]))
            for start in range(0, len(wanted), CHUNK)
        ]
    values = []
    for batch in batches:
        for customer_id, currency, line in uow.session.execute(batch):
            gross = line.line_net_minor - line.order_discount_minor + line.line_tax_minor
            invoiced = line.quantity_invoiced
            shipped = max(Decimal(0), line.quantity_shipped - invoiced)
            unshipped = line.quantity - invoiced - shipped
            values.append(
                OrderValue(
                    customer_id,
                    currency,
                    prorate(gross, line.quantity, invoiced + shipped, unshipped),
                    prorate(gross, line.quantity, invoiced, shipped),
                )
            )
    return values


def exposure_of(
    uow: UnitOfWork, actor: Actor, customer_id: int, as_of: date | None = None
) -> CustomerExposure:
    """A customer's credit exposure and its group's, in each limit's currency."""
    actor.require(Permission.LEDGER_READ)
    actor.require_customer_scope(customer_id, "customer", customer_id)
    with uow:
        _, members = group_of(uow, actor.company_id, customer_id)
        orders = open_order_values(uow, actor.company_id, [m.id for m in members])
        day = as_of or uow.clock.today()
        return customer_exposure(uow, actor.company_id, customer_id, members, orders, day)


def require_credit(uow: UnitOfWork, actor: Actor, order_id: int, stage: Stage) -> None:
    """Check the order against the credit rules before `stage`; on failure hold it and refuse.

    Called outside the confirming or shipping transaction, so the hold it commits survives
    the refusal. An order already held is refused without a new hold; a hold released at
    this stage lets it through. A customer on a customer-level hold is refused as before.
    """
    with uow:
        order = owned(uow.session, SalesOrder, actor.company_id, order_id, "sales order")
        allowed = {OrderStatus.DRAFT} if stage == Stage.CONFIRMATION else SHIPPABLE
        if OrderStatus(order.status) not in allowed:
            return  # confirming or shipping refuses it for its state
        require_no_hold(uow, actor.company_id, order.customer_id)
        held = active_order_hold(uow, actor.company_id, order.id)
        if held is not None:
            raise OrderOnCreditHold(order.number, held.id, reasons_of(held))
        if released_at_stage(uow, actor.company_id, order.id, stage):
            return
        amount = Money.from_minor(order.total_minor, order.currency)
        failures = failed_rules(uow, actor, order, amount if stage == Stage.CONFIRMATION else None)
        if not failures:
            return
        hold = place_order_hold(
            uow,
            actor,
            HeldOrder(order.id, order.number, order.customer_id, amount),
            stage,
            failures,
        )
        uow.commit()
        raise OrderOnCreditHold(order.number, hold.id, reasons_of(hold))


def failed_rules(
    uow: UnitOfWork, actor: Actor, order: SalesOrder, adding: Money | None
) -> list[RuleFailure]:
    """The rules the order's customer fails now, with `adding` (the order) counted as ordered."""
    _, members = group_of(uow, actor.company_id, order.customer_id)
    orders = open_order_values(uow, actor.company_id, [m.id for m in members])
    check = check_customer(
        uow, actor.company_id, order.customer_id, members, orders, uow.clock.today(), adding
    )
    return list(check.failures)
