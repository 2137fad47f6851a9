"""Builders for credit tests: customers with limits, orders of a known value, actors."""

from __future__ import annotations

from o2c.db.uow import UnitOfWork
from o2c.kernel.money import Money
from o2c.orders.service import get_order
from o2c.security.model import Actor, Role
from tests.inventory.builders import a_product
from tests.orders.builders import a_customer, a_line, an_order


def a_limited_customer(
    uow: UnitOfWork,
    actor: Actor,
    limit: str | None = "1000.00",
    currency: str = "EUR",
    parent_id: int | None = None,
) -> int:
    credit_limit = None if limit is None else Money(limit, currency)
    return a_customer(uow, actor, currency, credit_limit=credit_limit, parent_id=parent_id)


def an_order_worth(
    uow: UnitOfWork, actor: Actor, customer_id: int, net: str = "100.00", currency: str = "EUR"
) -> int:
    """A draft order of one unstocked line with this net price (total: net + 19 % tax)."""
    product = a_product(uow, actor, price=net, currency=currency, stocked=False)
    return an_order(uow, actor, customer_id, [a_line(product)])


def total_of(uow: UnitOfWork, actor: Actor, order_id: int) -> Money:
    order = get_order(uow, actor, order_id)
    return Money.from_minor(order.total_minor, order.currency)


def person(actor: Actor, name: str, *roles: Role) -> Actor:
    return Actor(name, actor.company_id, frozenset(roles or {Role.CREDIT_MANAGER}))
