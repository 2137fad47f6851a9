"""Builders for order tests: a customer, a stocked product with stock, an order."""

from __future__ import annotations

from decimal import Decimal

from o2c.db.uow import UnitOfWork
from o2c.orders.service import OrderCreate, OrderLineCreate, confirm_order, create_order
from o2c.parties.model import CustomerCreate
from o2c.parties.service import create_customer
from o2c.security.model import Actor

_codes = iter(range(1, 10**9))


def a_customer(uow: UnitOfWork, actor: Actor, currency: str = "EUR", **fields: object) -> int:
    code = f"C{next(_codes)}"
    return create_customer(
        uow, actor, CustomerCreate(code=code, name=f"Customer {code}", currency=currency, **fields)
    ).id


def a_line(product_id: int, quantity: str = "1", **fields: object) -> OrderLineCreate:
    return OrderLineCreate(product_id=product_id, quantity=Decimal(quantity), **fields)


def an_order(
    uow: UnitOfWork,
    actor: Actor,
    customer_id: int,
    lines: list[OrderLineCreate],
    warehouse_id: int | None = None,
    confirm: bool = False,
    **fields: object,
) -> int:
    order = create_order(
        uow,
        actor,
        OrderCreate(customer_id=customer_id, lines=lines, warehouse_id=warehouse_id, **fields),
    )
    if confirm:
        confirm_order(uow, actor, order.id)
    return order.id
