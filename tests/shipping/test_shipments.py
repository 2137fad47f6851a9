from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from o2c.db.outbox import OutboxEvent
from o2c.inventory.service import list_moves
from o2c.kernel.errors import IdempotencyMismatch, InvalidTransition, ValidationFailed
from o2c.orders.service import cancel_order, get_order
from o2c.shipping.model import ShipmentStatus
from o2c.shipping.service import (
    ShipmentFilter,
    cancel_shipment,
    confirm_delivery,
    create_shipment,
    get_shipment,
    list_shipments,
    ship,
)
from tests.inventory.builders import a_product, a_warehouse, stock
from tests.inventory.test_stock import position
from tests.orders.builders import a_customer, a_line, an_order

D = Decimal


@pytest.fixture
def setup(uow, actor):
    """A confirmed order of 5 stocked widgets (10 on hand) and 1 unstocked service."""
    widget, service = a_product(uow, actor), a_product(uow, actor, stocked=False)
    warehouse = a_warehouse(uow, actor)
    stock(uow, actor, widget, warehouse, "10")
    order_id = an_order(
        uow,
        actor,
        a_customer(uow, actor),
        [a_line(widget, "5"), a_line(service, "1")],
        warehouse,
        confirm=True,
    )
    lines = [line.id for line in get_order(uow, actor, order_id).lines]
    return order_id, lines, widget, warehouse


def line_state(uow, actor, order_id):
    order = get_order(uow, actor, order_id)
    return order.status, [(li.quantity_shipped, li.quantity_reserved) for li in order.lines]


def test_a_new_shipment_takes_everything_that_remains(uow, actor, setup):
    order_id, (widgets, service), _, warehouse = setup

    shipment = create_shipment(uow, actor, order_id, carrier="DHL", tracking="JD01")

    assert (shipment.number, shipment.status, shipment.warehouse_id) == (
        "SH-2026-000001",
        "draft",
        warehouse,
    )
    assert [(li.order_line_id, li.quantity) for li in shipment.lines] == [
        (widgets, D(5)),
        (service, D(1)),
    ]


def test_shipping_takes_stock_and_reservation_and_ships_the_order(uow, actor, setup, today):
    order_id, _, widget, warehouse = setup
    shipment = create_shipment(uow, actor, order_id)

    shipped = ship(uow, actor, shipment.id)

    assert (shipped.status, shipped.ship_date) == ("shipped", today)
    assert line_state(uow, actor, order_id) == (
        "shipped",
        [(D(5), D(0)), (D(1), D(0))],
    )
    assert position(uow, actor, widget, warehouse) == (D(5), D(0), D(5))
    [move, _receipt] = list_moves(uow, actor, widget)
    assert (move.kind, move.quantity, move.reference) == ("shipment", D(-5), shipment.number)


def test_partial_then_final_shipment(uow, actor, setup):
    order_id, (widgets, service), widget, warehouse = setup

    first = create_shipment(uow, actor, order_id, {widgets: D(2)})
    ship(uow, actor, first.id)
    after_first = line_state(uow, actor, order_id)
    second = create_shipment(uow, actor, order_id)
    ship(uow, actor, second.id)

    assert after_first == ("partially_shipped", [(D(2), D(3)), (D(0), D(0))])
    assert [(li.order_line_id, li.quantity) for li in second.lines] == [
        (widgets, D(3)),
        (service, D(1)),
    ]
    assert line_state(uow, actor, order_id)[0] == "shipped"
    assert position(uow, actor, widget, warehouse) == (D(5), D(0), D(5))


def test_split_shipments_never_exceed_the_order(uow, actor, setup):
    order_id, (widgets, _), _, _ = setup
    create_shipment(uow, actor, order_id, {widgets: D(3)})

    with pytest.raises(ValidationFailed, match="only 2 left to ship"):
        create_shipment(uow, actor, order_id, {widgets: D(3)})
    second = create_shipment(uow, actor, order_id, {widgets: D(2)})

    assert second.lines[0].quantity == D(2)


def test_a_cancelled_draft_frees_its_quantities(uow, actor, setup):
    order_id, (widgets, _), _, _ = setup
    draft = create_shipment(uow, actor, order_id, {widgets: D(5)})

    cancelled = cancel_shipment(uow, actor, draft.id)
    again = create_shipment(uow, actor, order_id, {widgets: D(5)})

    assert cancelled.status == "cancelled"
    assert again.lines[0].quantity == D(5)


def test_shipment_quantities_are_checked_all_at_once(uow, actor, setup):
    order_id, (widgets, service), _, _ = setup

    with pytest.raises(ValidationFailed) as refused:
        create_shipment(uow, actor, order_id, {widgets: D(6), service: D(0), 4242: D(1)})

    assert [e.field for e in refused.value.errors] == [
        f"lines[{widgets}].quantity",
        f"lines[{service}].quantity",
        "lines[4242]",
    ]


def test_shipping_more_than_stock_moves_nothing(uow, actor):
    widget, warehouse = a_product(uow, actor), a_warehouse(uow, actor)
    stock(uow, actor, widget, warehouse, "2")
    order_id = an_order(
        uow, actor, a_customer(uow, actor), [a_line(widget, "5")], warehouse, confirm=True
    )
    shipment = create_shipment(uow, actor, order_id)

    with pytest.raises(ValidationFailed, match="only 0 available"):
        ship(uow, actor, shipment.id)

    assert get_shipment(uow, actor, shipment.id).status == "draft"
    assert line_state(uow, actor, order_id) == ("confirmed", [(D(0), D(2))])
    assert position(uow, actor, widget, warehouse) == (D(2), D(2), D(0))


def test_a_backordered_line_ships_once_stock_is_free(uow, actor):
    widget, warehouse = a_product(uow, actor), a_warehouse(uow, actor)
    stock(uow, actor, widget, warehouse, "2")
    order_id = an_order(
        uow, actor, a_customer(uow, actor), [a_line(widget, "5")], warehouse, confirm=True
    )
    stock(uow, actor, widget, warehouse, "3")  # arrives unreserved

    ship(uow, actor, create_shipment(uow, actor, order_id).id)

    assert line_state(uow, actor, order_id) == ("shipped", [(D(5), D(0))])
    assert position(uow, actor, widget, warehouse) == (D(0), D(0), D(0))


def test_delivery_is_confirmed_on_a_shipped_shipment_only(uow, actor, setup):
    order_id, _, _, _ = setup
    shipment = create_shipment(uow, actor, order_id, ship_date=date(2026, 3, 3))

    with pytest.raises(InvalidTransition):
        confirm_delivery(uow, actor, shipment.id)
    ship(uow, actor, shipment.id)
    with pytest.raises(ValidationFailed, match="before the ship date"):
        confirm_delivery(uow, actor, shipment.id, date(2026, 3, 2))
    delivered = confirm_delivery(uow, actor, shipment.id, date(2026, 3, 5))

    assert (delivered.status, delivered.ship_date, delivered.delivered_on) == (
        "delivered",
        date(2026, 3, 3),
        date(2026, 3, 5),
    )


def test_shipped_shipments_cannot_be_shipped_again_or_cancelled(uow, actor, setup):
    order_id, _, _, _ = setup
    shipment = create_shipment(uow, actor, order_id)
    ship(uow, actor, shipment.id)

    with pytest.raises(InvalidTransition):
        ship(uow, actor, shipment.id)
    with pytest.raises(InvalidTransition):
        cancel_shipment(uow, actor, shipment.id)


def test_a_shipped_order_can_no_longer_be_cancelled(uow, actor, setup):
    order_id, (widgets, _), _, _ = setup
    ship(uow, actor, create_shipment(uow, actor, order_id, {widgets: D(1)}).id)

    with pytest.raises(InvalidTransition):
        cancel_order(uow, actor, order_id)


def test_drafts_and_cancelled_orders_cannot_be_shipped(uow, actor):
    service = a_product(uow, actor, stocked=False)
    draft = an_order(uow, actor, a_customer(uow, actor), [a_line(service)])

    with pytest.raises(InvalidTransition):
        create_shipment(uow, actor, draft)
    cancel_order(uow, actor, draft)
    with pytest.raises(InvalidTransition):
        create_shipment(uow, actor, draft)


def test_a_planned_shipment_of_a_cancelled_order_cannot_ship(uow, actor):
    service = a_product(uow, actor, stocked=False)
    order_id = an_order(uow, actor, a_customer(uow, actor), [a_line(service)], confirm=True)
    shipment = create_shipment(uow, actor, order_id)
    cancel_order(uow, actor, order_id)

    with pytest.raises(InvalidTransition):
        ship(uow, actor, shipment.id)


def test_a_retried_create_returns_the_first_shipment(uow, actor, setup):
    order_id, (widgets, _), _, _ = setup

    first = create_shipment(uow, actor, order_id, {widgets: D(1)}, idempotency_key="s1")
    again = create_shipment(uow, actor, order_id, {widgets: D(1)}, idempotency_key="s1")
    with pytest.raises(IdempotencyMismatch):
        create_shipment(uow, actor, order_id, {widgets: D(2)}, idempotency_key="s1")

    assert again.id == first.id
    assert list_shipments(uow, actor)[1] == 1


def test_shipments_are_listed_with_filters(uow, actor, setup):
    order_id, (widgets, _), _, _ = setup
    shipped = create_shipment(uow, actor, order_id, {widgets: D(1)})
    ship(uow, actor, shipped.id)
    draft = create_shipment(uow, actor, order_id, {widgets: D(1)})

    def ids(where=None):
        shipments, count = list_shipments(uow, actor, where)
        return [s.id for s in shipments], count

    assert ids() == ([draft.id, shipped.id], 2)
    assert ids(ShipmentFilter(statuses=[ShipmentStatus.DRAFT])) == ([draft.id], 1)
    assert ids(ShipmentFilter(uninvoiced=True)) == ([shipped.id], 1)
    assert ids(ShipmentFilter(order_id=order_id + 1)) == ([], 0)


def test_shipping_publishes_its_events(uow, actor, setup):
    order_id, _, _, _ = setup

    ship(uow, actor, create_shipment(uow, actor, order_id).id)

    with uow:
        topics = list(uow.session.scalars(select(OutboxEvent.topic).order_by(OutboxEvent.id)))
    assert topics[-3:] == ["shipment.created", "order.shipped", "shipment.shipped"]
