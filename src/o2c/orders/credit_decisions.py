"""Carrying out credit decisions on held orders: release (confirm), reject (cancel), the
automatic release after a payment, and the limit review run.

A release stands for its stage: an order held at confirmation is confirmed in the same
transaction; one held before shipment may then ship. A rejection cancels the order.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from o2c.credit.exposure import (
    Converter,
    Exposure,
    amounts_by_customer,
    limited_customers,
    measure,
)
from o2c.credit.holds import HoldStatus, decide_order_hold, held_orders
from o2c.credit.policy import policy_of
from o2c.credit.reviews import propose_limits
from o2c.credit.rules import Stage
from o2c.credit.scores import scores_by_customer
from o2c.credit.tables import OrderCreditHold
from o2c.db.rows import owned
from o2c.db.uow import UnitOfWork
from o2c.kernel.money import Money
from o2c.orders.credit_check import failed_rules, open_order_values
from o2c.orders.model import OrderStatus
from o2c.orders.service import cancel_order, confirm_order
from o2c.orders.tables import SalesOrder
from o2c.security.model import Actor, Permission


def release_order(uow: UnitOfWork, actor: Actor, hold_id: int, reason: str) -> OrderCreditHold:
    """Release a held order: confirmed now if it was held at confirmation (one transaction)."""
    return _release(uow, actor, hold_id, reason, automatic=False)


def _release(
    uow: UnitOfWork, actor: Actor, hold_id: int, reason: str, *, automatic: bool
) -> OrderCreditHold:
    with uow:
        hold = decide_order_hold(
            uow, actor, hold_id, HoldStatus.RELEASED, reason, automatic=automatic
        )
        order = owned(uow.session, SalesOrder, actor.company_id, hold.order_id, "sales order")
        if hold.stage == Stage.CONFIRMATION.value and order.status == OrderStatus.DRAFT.value:
            confirm_order(uow, actor, hold.order_id)
        uow.commit()
        return hold


def reject_order(uow: UnitOfWork, actor: Actor, hold_id: int, reason: str) -> OrderCreditHold:
    """Reject a held order: it is cancelled, its reservations given back (one transaction)."""
    with uow:
        hold = decide_order_hold(uow, actor, hold_id, HoldStatus.REJECTED, reason)
        order = owned(uow.session, SalesOrder, actor.company_id, hold.order_id, "sales order")
        if order.status != OrderStatus.CANCELLED.value:
            cancel_order(uow, actor, hold.order_id, f"credit hold rejected: {reason}")
        uow.commit()
        return hold


@dataclass(frozen=True)
class AutoRelease:
    released: list[int]
    still_held: list[int]


def release_passing(uow: UnitOfWork, actor: Actor, customer_ids: Collection[int]) -> AutoRelease:
    """Re-check the held orders of these customers; release (and confirm) those that pass.

    After a payment, oldest hold first, each in its own transaction, so one order's release
    counts in the next one's exposure. Off when the company's policy says so.
    """
    actor.require(Permission.CREDIT_HOLD)
    with uow:
        if not policy_of(uow, actor.company_id).auto_release:
            return AutoRelease([], [])
        holds = [(h.id, h.order_id) for h in held_orders(uow, actor.company_id, customer_ids)]
    released, still = [], []
    for hold_id, order_id in holds:
        with uow:
            order = owned(uow.session, SalesOrder, actor.company_id, order_id, "sales order")
            hold = owned(uow.session, OrderCreditHold, actor.company_id, hold_id, "credit hold")
            adding = (
                Money.from_minor(order.total_minor, order.currency)
                if hold.stage == Stage.CONFIRMATION.value
                else None
            )
            if failed_rules(uow, actor, order, adding):
                still.append(hold_id)
                continue
        _release(uow, actor, hold_id, "credit rules pass after payment", automatic=True)
        released.append(hold_id)
    return AutoRelease(released, still)


def review_limits(uow: UnitOfWork, actor: Actor, as_of: date) -> list[int]:
    """Propose new limits for every customer with a limit, from its score and exposure."""
    actor.require(Permission.CREDIT_HOLD)
    with uow:
        customers = limited_customers(uow, actor.company_id)
        exposures = limited_exposures(uow, actor.company_id, as_of)
        scores = scores_by_customer(uow, actor.company_id)
        proposed = propose_limits(uow, actor, customers, exposures, scores, as_of)
        uow.commit()
        return proposed


def limited_exposures(uow: UnitOfWork, company_id: int, as_of: date) -> dict[int, Exposure]:
    """Exposure of every customer with a credit limit, with set-based reads (review, scoring)."""
    customers = limited_customers(uow, company_id)
    ids = [c.id for c in customers]
    amounts = (
        amounts_by_customer(uow, company_id, None, open_order_values(uow, company_id, None))
        if ids
        else {}
    )
    converter = Converter(uow, company_id, as_of)
    return {c.id: measure(converter, [c.id], amounts, c.currency, c.limit) for c in customers}
