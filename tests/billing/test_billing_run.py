"""The billing run: many shipments invoiced and posted in one transaction, each exactly once."""

from __future__ import annotations

from decimal import Decimal

import pytest

from o2c.billing.service import (
    invoice_details,
    invoice_shipment,
    invoice_shipments,
    shipments_to_bill,
)
from o2c.kernel.errors import InvalidTransition
from o2c.orders.service import get_order
from o2c.parties.model import InvoiceOn
from o2c.shipping.service import create_shipment, ship
from tests.app.client import o2c
from tests.billing.builders import item_of
from tests.inventory.builders import a_product
from tests.orders.builders import a_customer, a_line, an_order

D = Decimal


def shipped(uow, actor, invoice_on=InvoiceOn.SHIPMENT, count=1):
    """`count` confirmed orders of one customer (2 × 10.00 each), each shipped whole."""
    product = a_product(uow, actor, price="10.00", stocked=False)
    customer = a_customer(uow, actor, invoice_on=invoice_on)
    shipments = []
    for _ in range(count):
        order_id = an_order(uow, actor, customer, [a_line(product, "2")], confirm=True)
        shipment = create_shipment(uow, actor, order_id)
        shipments.append(ship(uow, actor, shipment.id).id)
    return shipments


def test_a_run_posts_one_invoice_per_shipment_with_numbers_in_order(uow, actor):
    first, second = shipped(uow, actor, count=2)

    posted = invoice_shipments(uow, actor, [first, second])

    assert [p.number for p in posted] == ["INV-2026-000001", "INV-2026-000002"]
    details = [invoice_details(uow, actor, p.invoice_id) for p in posted]
    assert [d.invoice.shipment_id for d in details] == [first, second]
    assert [d.open_minor for d in details] == [2380, 2380]  # 20.00 + 19 % tax
    assert [item_of(uow, actor, p.invoice_id).id for p in posted] == [p.item_id for p in posted]
    order = get_order(uow, actor, details[0].invoice.order_id)
    assert (order.status, order.lines[0].quantity_invoiced) == ("invoiced", D(2))
    assert shipments_to_bill(uow, actor, 10) == []


def test_a_run_with_a_shipment_billed_already_posts_nothing(uow, actor):
    first, second = shipped(uow, actor, count=2)
    invoice_shipment(uow, actor, second)

    with pytest.raises(InvalidTransition, match="nothing left"):
        invoice_shipments(uow, actor, [first, second])

    assert shipments_to_bill(uow, actor, 10) == [first]


def test_the_work_list_skips_customers_billed_on_order_and_keeps_its_limit(uow, actor):
    on_shipment = shipped(uow, actor, count=3)
    shipped(uow, actor, invoice_on=InvoiceOn.ORDER)

    assert shipments_to_bill(uow, actor, 2) == on_shipment[:2]
    assert shipments_to_bill(uow, actor, 10) == on_shipment


def test_the_cli_bills_every_shipment_in_batches(uow, actor, database):
    shipped(uow, actor, count=3)

    result = o2c(database, "invoice", "bill-shipments", "--batch", "2")

    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "3 shipments invoiced and posted"
    assert shipments_to_bill(uow, actor, 10) == []
