"""What billing sees of orders and shipments, and how it reports invoices back."""

from __future__ import annotations

from decimal import Decimal

import pytest

from o2c.kernel.errors import InvalidTransition, ValidationFailed
from o2c.orders.service import close_order, get_order, record_invoiced, uninvoiced_lines
from o2c.shipping.service import (
    create_shipment,
    record_shipment_invoiced,
    ship,
    uninvoiced_shipment_lines,
)
from tests.inventory.builders import a_product
from tests.orders.builders import a_customer, a_line, an_order

D = Decimal


@pytest.fixture
def order_id(uow, actor):
    """Confirmed: 3 × 10.00 at 10 % off with 5 % order discount, and 1 × 20.00 (services)."""
    first = a_product(uow, actor, price="10.00", stocked=False)
    second = a_product(uow, actor, price="20.00", stocked=False, tax_category="reduced")
    return an_order(
        uow,
        actor,
        a_customer(uow, actor),
        [a_line(first, "3", discount_percent=D(10)), a_line(second, "1")],
        order_discount_percent=D(5),
        confirm=True,
    )


def test_uninvoiced_lines_carry_what_an_invoice_line_needs(uow, actor, order_id):
    order = get_order(uow, actor, order_id)

    first, second = uninvoiced_lines(uow, actor, order_id)

    assert (first.order_line_id, first.quantity, first.unit_price_minor) == (
        order.lines[0].id,
        D(3),
        1000,
    )
    assert (first.discount_percent, first.tax_category, first.tax_percent) == (
        D(10),
        "standard",
        D(19),
    )
    assert (first.net_minor, first.order_discount_minor) == (2700, 135)  # 5 % of 47.00 = 2.35
    assert (second.net_minor, second.order_discount_minor, second.currency) == (2000, 100, "EUR")


def test_invoicing_an_order_in_two_goes_bills_each_line_exactly_once(uow, actor, order_id):
    first = get_order(uow, actor, order_id).lines[0].id

    record_invoiced(uow, actor, order_id, {first: D(1)})
    partly = get_order(uow, actor, order_id).status
    rest = uninvoiced_lines(uow, actor, order_id)
    record_invoiced(uow, actor, order_id, {line.order_line_id: line.quantity for line in rest})

    assert partly == "partially_invoiced"
    assert [(li.quantity, li.net_minor, li.order_discount_minor) for li in rest] == [
        (D(2), 1800, 90),  # 27.00 - 9.00 billed first; 1.35 - 0.45
        (D(1), 2000, 100),
    ]
    assert get_order(uow, actor, order_id).status == "invoiced"
    assert uninvoiced_lines(uow, actor, order_id) == []


def test_invoicing_beyond_the_order_is_refused(uow, actor, order_id):
    first = get_order(uow, actor, order_id).lines[0].id
    record_invoiced(uow, actor, order_id, {first: D(2)})

    with pytest.raises(ValidationFailed, match="only 1 left"):
        record_invoiced(uow, actor, order_id, {first: D(2)})


def test_drafts_have_nothing_to_invoice_and_refuse_invoicing(uow, actor):
    service = a_product(uow, actor, stocked=False)
    draft = an_order(uow, actor, a_customer(uow, actor), [a_line(service)])
    line = get_order(uow, actor, draft).lines[0].id

    assert uninvoiced_lines(uow, actor, draft) == []
    with pytest.raises(InvalidTransition):
        record_invoiced(uow, actor, draft, {line: D(1)})


def test_a_shipment_is_billed_once_and_counts_on_the_order(uow, actor, order_id):
    first, second = (line.id for line in get_order(uow, actor, order_id).lines)
    shipment = create_shipment(uow, actor, order_id, {first: D(2), second: D(1)})
    assert uninvoiced_shipment_lines(uow, actor, shipment.id) == []  # not shipped yet
    ship(uow, actor, shipment.id)

    billable = uninvoiced_shipment_lines(uow, actor, shipment.id)
    record_shipment_invoiced(uow, actor, shipment.id)

    assert [(b.shipment_line_id, b.order_line_id, b.quantity, b.net_minor) for b in billable] == [
        (shipment.lines[0].id, first, D(2), 1800),
        (shipment.lines[1].id, second, D(1), 2000),
    ]
    order = get_order(uow, actor, order_id)
    assert order.status == "partially_invoiced"
    assert [line.quantity_invoiced for line in order.lines] == [D(2), D(1)]
    assert uninvoiced_shipment_lines(uow, actor, shipment.id) == []
    with pytest.raises(InvalidTransition, match="invoiced already"):
        record_shipment_invoiced(uow, actor, shipment.id)


def test_a_draft_shipment_cannot_be_billed(uow, actor, order_id):
    shipment = create_shipment(uow, actor, order_id)

    with pytest.raises(InvalidTransition):
        record_shipment_invoiced(uow, actor, shipment.id)


def test_an_order_closes_once_shipped_and_invoiced(uow, actor, order_id):
    first, second = (line.id for line in get_order(uow, actor, order_id).lines)
    record_invoiced(uow, actor, order_id, {first: D(3), second: D(1)})

    with pytest.raises(InvalidTransition, match="still has lines to ship"):
        close_order(uow, actor, order_id)
    ship(uow, actor, create_shipment(uow, actor, order_id).id)
    closed = close_order(uow, actor, order_id)

    assert closed.status == "closed"
    with pytest.raises(InvalidTransition):
        close_order(uow, actor, order_id)


def test_an_order_that_is_not_fully_invoiced_cannot_close(uow, actor, order_id):
    ship(uow, actor, create_shipment(uow, actor, order_id).id)

    with pytest.raises(InvalidTransition):
        close_order(uow, actor, order_id)
