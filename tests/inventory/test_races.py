"""Two orders racing for the last unit, round after round, each in its own transaction.

On PostgreSQL both transactions first read the stock (both see the unit available), meet at a
barrier, and only then write: the row lock taken by `SELECT ... FOR UPDATE` on the stock
level makes the second writer wait for the first to commit and then re-read the level, so
it finds the unit gone. On SQLite a transaction takes the database's write lock when it
begins (`BEGIN IMMEDIATE`), so the second cannot even read until the first has committed:
the race is serialised by the database lock, and the barrier can only stand before the
transactions begin (one waiting inside its transaction for the other would never meet it).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal

import pytest

from o2c.db.engine import session_factory
from o2c.db.uow import UnitOfWork
from o2c.inventory.service import availability
from o2c.kernel.errors import ValidationFailed
from o2c.orders.service import confirm_order, get_order
from o2c.shipping.model import ShipmentStatus
from o2c.shipping.service import create_shipment, get_shipment, ship
from tests.inventory.builders import a_product, a_warehouse, stock
from tests.inventory.test_stock import position
from tests.orders.builders import a_customer, a_line, an_order

D = Decimal
ROUNDS = 20


def race(engine, clock, actor, backend, product, step: Callable[[UnitOfWork, int], None], ids):
    """Run `step(uow, id)` for both ids at once; returns what each saw available and raised."""
    barrier = threading.Barrier(len(ids), timeout=60)
    seen: dict[int, Decimal] = {}
    errors: dict[int, BaseException] = {}

    def run(key: int) -> None:
        own = UnitOfWork(session_factory(engine), clock)
        try:
            if backend == "sqlite":
                barrier.wait()
            with own:
                seen[key] = sum(a.available for a in availability(own, actor, product))
                if backend == "postgresql":
                    barrier.wait()  # both have read before either writes
                step(own, key)
                own.commit()
        except BaseException as exc:  # surfaced by the caller's assertions
            errors[key] = exc

    threads = [threading.Thread(target=run, args=(key,)) for key in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return seen, errors


@pytest.fixture
def shop(uow, actor):
    return a_product(uow, actor), a_warehouse(uow, actor), a_customer(uow, actor)


def test_racing_confirmations_never_both_reserve_the_last_unit(
    engine, backend, uow, actor, clock, shop
):
    product, warehouse, customer = shop
    for done in range(ROUNDS):
        stock(uow, actor, product, warehouse, "1")
        orders = [an_order(uow, actor, customer, [a_line(product)], warehouse) for _ in range(2)]

        seen, errors = race(
            engine,
            clock,
            actor,
            backend,
            product,
            lambda own, o: confirm_order(own, actor, o),
            orders,
        )

        assert errors == {}
        if backend == "postgresql":
            assert seen == {orders[0]: D(1), orders[1]: D(1)}
        reserved = sorted(get_order(uow, actor, o).lines[0].quantity_reserved for o in orders)
        assert reserved == [D(0), D(1)], f"round {done}"
        assert position(uow, actor, product, warehouse) == (D(done + 1), D(done + 1), D(0))


def test_racing_shipments_never_both_take_the_last_unit(engine, backend, uow, actor, clock, shop):
    product, warehouse, customer = shop
    for done in range(ROUNDS):
        # both orders are confirmed while nothing is in stock: neither holds a reservation
        orders = [
            an_order(uow, actor, customer, [a_line(product)], warehouse, confirm=True)
            for _ in range(2)
        ]
        stock(uow, actor, product, warehouse, "1")
        shipments = [create_shipment(uow, actor, o).id for o in orders]

        seen, errors = race(
            engine, clock, actor, backend, product, lambda own, s: ship(own, actor, s), shipments
        )

        assert len(errors) == 1, f"round {done}: {errors}"
        [error] = errors.values()
        assert isinstance(error, ValidationFailed)
        assert "only 0 available" in str(error.errors)
        if backend == "postgresql":
            assert set(seen.values()) == {D(1)}
        statuses = sorted(get_shipment(uow, actor, s).status for s in shipments)
        assert statuses == [ShipmentStatus.DRAFT, ShipmentStatus.SHIPPED]
        assert position(uow, actor, product, warehouse) == (D(0), D(0), D(0))
