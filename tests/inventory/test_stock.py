from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from o2c.inventory.service import (
    MoveCommand,
    ShipLine,
    StockQuantity,
    adjust_stock,
    availability,
    create_warehouse,
    list_moves,
    receive_stock,
    release_reservation,
    reserve,
    reserve_many,
    return_stock,
    ship_stock,
)
from o2c.inventory.tables import StockMove
from o2c.kernel.errors import (
    Conflict,
    IdempotencyMismatch,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from o2c.security.model import Actor, Role
from o2c.security.service import create_company
from tests.inventory.builders import a_product, a_warehouse, stock

D = Decimal


def position(uow, actor, product_id, warehouse_id):
    [row] = [a for a in availability(uow, actor, product_id) if a.warehouse_id == warehouse_id]
    return row.on_hand, row.reserved, row.available


def fields_of(error: ValidationFailed) -> list[str]:
    return [e.field for e in error.errors]


def test_receipt_adds_to_on_hand_and_is_recorded_as_a_move(uow, actor, today):
    product, warehouse = a_product(uow, actor), a_warehouse(uow, actor)

    move = receive_stock(uow, actor, MoveCommand(product, warehouse, D("12.5"), reference="PO-7"))

    assert position(uow, actor, product, warehouse) == (D("12.5"), D(0), D("12.5"))
    assert (move.kind, move.quantity, move.reference, move.move_date) == (
        "receipt",
        D("12.5"),
        "PO-7",
        today,
    )


def test_return_books_goods_back_into_stock(uow, actor):
    product, warehouse = a_product(uow, actor), a_warehouse(uow, actor)
    stock(uow, actor, product, warehouse, "2")

    return_stock(uow, actor, MoveCommand(product, warehouse, D(1), reason="wrong size"))

    assert position(uow, actor, product, warehouse)[0] == D(3)
    assert [m.kind for m in list_moves(uow, actor, product)] == ["return", "receipt"]


def test_receipt_refuses_bad_quantities_and_unknown_products_all_at_once(uow, actor):
    warehouse = a_warehouse(uow, actor)

    with pytest.raises(ValidationFailed) as refused:
        receive_stock(uow, actor, MoveCommand(999, warehouse, D("0.00001")))

    assert fields_of(refused.value) == ["quantity", "product_id"]


def test_services_have_no_stock(uow, actor):
    service, warehouse = a_product(uow, actor, stocked=False), a_warehouse(uow, actor)

    with pytest.raises(ValidationFailed, match="not stocked"):
        receive_stock(uow, actor, MoveCommand(service, warehouse, D(1)))


def test_adjustment_needs_a_reason(uow, actor):
    product, warehouse = a_product(uow, actor), a_warehouse(uow, actor)

    with pytest.raises(ValidationFailed) as refused:
        adjust_stock(uow, actor, MoveCommand(product, warehouse, D(-1)))

    assert fields_of(refused.value) == ["reason"]


def test_adjustment_counts_stock_down_but_never_below_zero(uow, actor):
    product, warehouse = a_product(uow, actor), a_warehouse(uow, actor)
    stock(uow, actor, product, warehouse, "5")

    adjust_stock(uow, actor, MoveCommand(product, warehouse, D(-2), reason="count"))
    with pytest.raises(ValidationFailed, match="cannot go negative"):
        adjust_stock(uow, actor, MoveCommand(product, warehouse, D(-4), reason="damage"))

    assert position(uow, actor, product, warehouse)[0] == D(3)


def test_warehouse_that_allows_negative_stock_accepts_it(uow, actor):
    product = a_product(uow, actor)
    dropship = a_warehouse(uow, actor, "DROP", allow_negative=True)

    adjust_stock(uow, actor, MoveCommand(product, dropship, D(-4), reason="booked late"))
    reserved = reserve(uow, actor, product, dropship, D(10))

    assert reserved == D(10)
    assert position(uow, actor, product, dropship) == (D(-4), D(10), D(-14))


def test_reservation_takes_only_available_units(uow, actor):
    product, warehouse = a_product(uow, actor), a_warehouse(uow, actor)
    stock(uow, actor, product, warehouse, "5")
    reserve(uow, actor, product, warehouse, D(3))

    with pytest.raises(ValidationFailed, match="only 2 available"):
        reserve(uow, actor, product, warehouse, D(3))
    partial = reserve(uow, actor, product, warehouse, D(3), partial=True)

    assert partial == D(2)
    assert position(uow, actor, product, warehouse) == (D(5), D(5), D(0))


def test_reserving_several_lines_of_one_product_counts_each(uow, actor):
    product, warehouse = a_product(uow, actor), a_warehouse(uow, actor)
    stock(uow, actor, product, warehouse, "5")

    got = reserve_many(
        uow,
        actor,
        [StockQuantity(product, warehouse, D(4)), StockQuantity(product, warehouse, D(4))],
        partial=True,
    )

    assert got == [D(4), D(1)]


def test_release_gives_units_back_but_not_more_than_reserved(uow, actor):
    product, warehouse = a_product(uow, actor), a_warehouse(uow, actor)
    stock(uow, actor, product, warehouse, "5")
    reserve(uow, actor, product, warehouse, D(3))

    release_reservation(uow, actor, product, warehouse, D(2))
    with pytest.raises(ValidationFailed, match="only 1 reserved"):
        release_reservation(uow, actor, product, warehouse, D(2))

    assert position(uow, actor, product, warehouse) == (D(5), D(1), D(4))


def test_shipping_consumes_the_reservation_and_on_hand(uow, actor):
    product, warehouse = a_product(uow, actor), a_warehouse(uow, actor)
    stock(uow, actor, product, warehouse, "5")
    reserve(uow, actor, product, warehouse, D(3))

    [move_id] = ship_stock(uow, actor, [ShipLine(product, warehouse, D(3), D(3))], "SH-1")

    assert position(uow, actor, product, warehouse) == (D(2), D(0), D(2))
    with uow:
        move = uow.session.get(StockMove, move_id)
        assert (move.kind, move.quantity, move.reference) == ("shipment", D(-3), "SH-1")


def test_shipping_never_takes_units_reserved_for_another_order(uow, actor):
    product, warehouse = a_product(uow, actor), a_warehouse(uow, actor)
    stock(uow, actor, product, warehouse, "5")
    reserve(uow, actor, product, warehouse, D(4))

    with pytest.raises(ValidationFailed, match="only 1 available"):
        ship_stock(uow, actor, [ShipLine(product, warehouse, D(2))], "SH-2")

    assert position(uow, actor, product, warehouse) == (D(5), D(4), D(1))


def test_a_failing_line_ships_nothing(uow, actor):
    first, second = a_product(uow, actor), a_product(uow, actor)
    warehouse = a_warehouse(uow, actor)
    stock(uow, actor, first, warehouse, "5")

    with pytest.raises(ValidationFailed) as refused:
        ship_stock(
            uow,
            actor,
            [ShipLine(first, warehouse, D(1)), ShipLine(second, warehouse, D(1))],
            "SH-3",
        )

    assert fields_of(refused.value) == ["lines[1].quantity"]
    assert position(uow, actor, first, warehouse)[0] == D(5)
    with uow:
        assert (
            uow.session.scalars(select(StockMove).where(StockMove.kind == "shipment")).all() == []
        )


def test_availability_lists_every_active_warehouse(uow, actor):
    product = a_product(uow, actor)
    north, south = a_warehouse(uow, actor, "NORTH"), a_warehouse(uow, actor, "SOUTH")
    stock(uow, actor, product, north, "7")

    rows = availability(uow, actor, product)

    assert [(r.warehouse_id, r.on_hand, r.available) for r in rows] == [
        (north, D(7), D(7)),
        (south, D(0), D(0)),
    ]


def test_receipt_retried_with_the_same_key_is_booked_once(uow, actor):
    product, warehouse = a_product(uow, actor), a_warehouse(uow, actor)
    command = MoveCommand(product, warehouse, D(4), reference="ASN-1")

    first = receive_stock(uow, actor, command, idempotency_key="k1")
    again = receive_stock(uow, actor, command, idempotency_key="k1")
    with pytest.raises(IdempotencyMismatch):
        receive_stock(uow, actor, MoveCommand(product, warehouse, D(5)), idempotency_key="k1")

    assert again.id == first.id
    assert position(uow, actor, product, warehouse)[0] == D(4)


def test_warehouse_codes_are_unique_per_company(uow, actor):
    a_warehouse(uow, actor, "MAIN")

    with pytest.raises(Conflict):
        create_warehouse(uow, actor, "MAIN", "Again")


def test_another_company_cannot_use_our_warehouse(uow, actor):
    product, warehouse = a_product(uow, actor), a_warehouse(uow, actor)
    with uow:
        other = create_company(uow, "OTHER", "Other Ltd", "EUR")
        uow.commit()
    stranger = Actor("stranger", other.id)
    other_product = a_product(uow, stranger)

    with pytest.raises(NotFound):
        receive_stock(uow, stranger, MoveCommand(other_product, warehouse, D(1)))
    with pytest.raises(ValidationFailed, match="not found"):
        receive_stock(uow, stranger, MoveCommand(product, warehouse, D(1)))


def test_a_collector_cannot_move_stock(uow, actor):
    product, warehouse = a_product(uow, actor), a_warehouse(uow, actor)
    collector = Actor("col", actor.company_id, frozenset({Role.COLLECTOR}))

    with pytest.raises(PermissionDenied):
        receive_stock(uow, collector, MoveCommand(product, warehouse, D(1)))


_examples = itertools.count()
operations = st.lists(
    st.tuples(
        st.sampled_from(["receive", "adjust", "reserve", "release", "ship"]),
        st.decimals(min_value=D("0.0001"), max_value=D(50), places=4),
    ),
    max_size=12,
)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(operations)
def test_stock_never_goes_negative_and_on_hand_is_the_sum_of_moves(uow, actor, steps):
    product, warehouse = a_product(uow, actor), a_warehouse(uow, actor, f"W{next(_examples)}")
    for kind, quantity in steps:
        try:
            if kind == "receive":
                receive_stock(uow, actor, MoveCommand(product, warehouse, quantity))
            elif kind == "adjust":
                adjust_stock(uow, actor, MoveCommand(product, warehouse, -quantity, reason="x"))
            elif kind == "reserve":
                reserve(uow, actor, product, warehouse, quantity, partial=True)
            elif kind == "release":
                release_reservation(uow, actor, product, warehouse, quantity)
            else:
                ship_stock(uow, actor, [ShipLine(product, warehouse, quantity)], "SH")
        except ValidationFailed:
            pass
    on_hand, reserved, _ = position(uow, actor, product, warehouse)
    moves = list_moves(uow, actor, product, warehouse, limit=1000)
    assert on_hand >= 0
    assert reserved >= 0
    assert on_hand == sum((m.quantity for m in moves), D(0))
