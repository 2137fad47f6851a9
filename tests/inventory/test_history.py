"""A product's stock history: one move per physical change, each with its kind and reason."""

from __future__ import annotations

from decimal import Decimal

from o2c.inventory.service import MoveCommand, adjust_stock, list_moves, receive_stock
from o2c.orders.service import get_order
from o2c.returns.model import Disposition
from o2c.returns.service import authorise_return, receive_return
from o2c.shipping.service import create_shipment, ship
from tests.inventory.builders import a_product, a_warehouse
from tests.inventory.test_stock import position
from tests.orders.builders import a_customer, a_line, an_order

D = Decimal


def test_every_kind_of_change_leaves_a_move_and_on_hand_is_their_sum(uow, actor):
    product, warehouse = a_product(uow, actor), a_warehouse(uow, actor)
    receive_stock(uow, actor, MoveCommand(product, warehouse, D(10), "purchase", reference="PO-77"))
    order = an_order(
        uow, actor, a_customer(uow, actor), [a_line(product, "4")], warehouse, confirm=True
    )
    shipment = create_shipment(uow, actor, order)
    ship(uow, actor, shipment.id)
    adjust_stock(uow, actor, MoveCommand(product, warehouse, D(-1), "found damaged in count"))
    line = get_order(uow, actor, order).lines[0].id
    rma = authorise_return(uow, actor, order, {line: D(2)}, "wrong size")
    receive_return(uow, actor, rma.id, Disposition.RESTOCK)

    moves = list_moves(uow, actor, product, warehouse)

    assert [(m.kind, m.quantity, m.reason, m.reference) for m in reversed(moves)] == [
        ("receipt", D(10), "purchase", "PO-77"),
        ("shipment", D(-4), None, shipment.number),
        ("adjustment", D(-1), "found damaged in count", None),
        ("return", D(2), "customer return: wrong size", rma.number),
    ]
    assert position(uow, actor, product, warehouse) == (D(7), D(0), D(7))
    assert sum(m.quantity for m in moves) == D(7)
