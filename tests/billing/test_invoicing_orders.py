"""Billing on order and on shipment, at the order's prices, each quantity exactly once."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from o2c.billing.service import invoice_details, invoice_order, invoice_shipment
from o2c.kernel.errors import InvalidTransition
from o2c.orders.service import get_order
from o2c.parties.model import InvoiceOn
from o2c.shipping.service import create_shipment, ship
from tests.billing.builders import item_of
from tests.builders import assert_postings
from tests.inventory.builders import a_product
from tests.orders.builders import a_customer, a_line, an_order

D = Decimal


def an_order_for(uow, actor, invoice_on):
    """Confirmed: 3 × 10.00 at 10 % off and 1 × 20.00 (reduced tax), 5 % order discount."""
    first = a_product(uow, actor, price="10.00", stocked=False)
    second = a_product(uow, actor, price="20.00", stocked=False, tax_category="reduced")
    customer = a_customer(uow, actor, invoice_on=invoice_on, payment_term="NET30")
    return an_order(
        uow,
        actor,
        customer,
        [a_line(first, "3", discount_percent=D(10)), a_line(second, "1")],
        order_discount_percent=D(5),
        confirm=True,
        po_number="PO-9",
    )


def test_an_order_billed_on_order_is_invoiced_whole_at_its_prices(uow, actor, today):
    order_id = an_order_for(uow, actor, InvoiceOn.ORDER)

    invoice = invoice_order(uow, actor, order_id)

    # Nets 27.00 and 20.00 less the order discount 1.35 and 1.00; tax 19 % and 7 %.
    assert (invoice.number, invoice.order_id, invoice.po_number) == (
        "INV-2026-000001",
        order_id,
        "PO-9",
    )
    assert (invoice.discount_minor, invoice.net_minor, invoice.tax_minor) == (235, 4465, 620)
    assert invoice.due_date == today + timedelta(days=30)
    assert_postings(
        uow,
        item_of(uow, actor, invoice.id).entry_id,
        "DR 1100 50.85 EUR / CR 4000 25.65 EUR / CR 4000 19.00 EUR"
        " / CR 2200 4.87 EUR / CR 2200 1.33 EUR",
    )
    assert [line.quantity_invoiced for line in get_order(uow, actor, order_id).lines] == [
        D(3),
        D(1),
    ]
    with pytest.raises(InvalidTransition, match="nothing left"):
        invoice_order(uow, actor, order_id)


def test_shipments_are_billed_one_by_one_and_add_up_to_the_order(uow, actor):
    order_id = an_order_for(uow, actor, InvoiceOn.SHIPMENT)
    first, second = (line.id for line in get_order(uow, actor, order_id).lines)
    part = create_shipment(uow, actor, order_id, {first: D(2), second: D(1)})
    ship(uow, actor, part.id)

    one = invoice_shipment(uow, actor, part.id)
    rest = create_shipment(uow, actor, order_id, {first: D(1)})
    ship(uow, actor, rest.id)
    two = invoice_shipment(uow, actor, rest.id)

    assert (one.shipment_id, two.shipment_id) == (part.id, rest.id)
    assert one.net_minor + two.net_minor == 4465
    lines = invoice_details(uow, actor, one.id).lines
    assert [(line.quantity, line.net_minor, line.source_line_id) for line in lines] == [
        (D(2), 1800, part.lines[0].id),
        (D(1), 2000, part.lines[1].id),
    ]
    with pytest.raises(InvalidTransition, match="nothing left"):
        invoice_shipment(uow, actor, part.id)


def test_billing_on_the_other_basis_is_refused(uow, actor):
    order_id = an_order_for(uow, actor, InvoiceOn.SHIPMENT)

    with pytest.raises(InvalidTransition, match="invoiced on shipment"):
        invoice_order(uow, actor, order_id)
