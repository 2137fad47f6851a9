"""Two clerks confirming orders at the same moment for the last units in stock."""

from __future__ import annotations

import threading
from decimal import Decimal

from o2c.db.engine import session_factory
from o2c.db.uow import UnitOfWork
from o2c.orders.service import OrderCreate, confirm_order, create_order, get_order, list_orders
from tests.inventory.builders import a_product, a_warehouse, stock
from tests.inventory.test_stock import position
from tests.orders.builders import a_customer, a_line, an_order

D = Decimal


def test_only_one_of_two_racing_orders_gets_the_last_units(engine, uow, actor, clock):
    # On PostgreSQL the stock level row lock makes the second confirmation wait and then see
    # the units gone; SQLite serialises writers, so the same must hold there.
    product, warehouse = a_product(uow, actor), a_warehouse(uow, actor)
    stock(uow, actor, product, warehouse, "5")
    customer = a_customer(uow, actor)
    orders = [an_order(uow, actor, customer, [a_line(product, "5")], warehouse) for _ in range(2)]
    start = threading.Barrier(len(orders))
    failures: list[BaseException] = []

    def confirm(order_id: int) -> None:
        own = UnitOfWork(session_factory(engine), clock)
        start.wait()
        try:
            confirm_order(own, actor, order_id)
        except BaseException as exc:  # surfaced by the assertion below
            failures.append(exc)

    threads = [threading.Thread(target=confirm, args=(order_id,)) for order_id in orders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []
    reserved = sorted(get_order(uow, actor, o).lines[0].quantity_reserved for o in orders)
    assert reserved == [D(0), D(5)]
    assert position(uow, actor, product, warehouse) == (D(5), D(5), D(0))
    assert {get_order(uow, actor, o).status for o in orders} == {"confirmed"}


def test_two_racing_retries_with_one_key_create_one_order(engine, uow, actor, clock):
    # A client that times out and retries at once: both requests must answer the same order.
    product = a_product(uow, actor, stocked=False)
    command = OrderCreate(a_customer(uow, actor), [a_line(product)])
    start = threading.Barrier(2)
    results: list[int | BaseException] = []

    def create() -> None:
        own = UnitOfWork(session_factory(engine), clock)
        start.wait()
        try:
            results.append(create_order(own, actor, command, idempotency_key="retry").id)
        except BaseException as exc:  # surfaced by the assertion below
            results.append(exc)

    threads = [threading.Thread(target=create) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    orders, count = list_orders(uow, actor)
    assert count == 1
    assert results == [orders[0].id, orders[0].id]
