"""Cycle times order → ship → invoice → cash, and the OCEL 2.0 event log."""

from __future__ import annotations

from datetime import date

import pytest

from o2c.analytics.process import cycle_times, ocel_log
from o2c.billing.service import invoice_shipment
from o2c.ledger.reports import open_items_on
from o2c.ledger.service import ApplyCommand, apply_items
from o2c.shipping.service import create_shipment, ship
from tests.analytics.builders import AS_OF
from tests.billing.builders import tax_rates
from tests.builders import a_payment
from tests.inventory.builders import a_product
from tests.orders.builders import a_customer, a_line, an_order

pytestmark = pytest.mark.storage
MARCH = (date(2026, 3, 1), date(2026, 3, 31))


@pytest.fixture
def one_cycle(uow, actor):
    """Ordered Jan 5, shipped Jan 9, invoiced Mar 2 (today), paid in full Mar 20."""
    tax_rates(uow, actor)
    product = a_product(uow, actor, price="10.00", stocked=False)
    customer = a_customer(uow, actor)
    order = an_order(
        uow, actor, customer, [a_line(product, "2")], order_date=date(2026, 1, 5), confirm=True
    )
    shipment = create_shipment(uow, actor, order, ship_date=date(2026, 1, 9))
    ship(uow, actor, shipment.id, date(2026, 1, 9))
    invoice_shipment(uow, actor, shipment.id)  # posted as it is created
    [item] = [i for i in open_items_on(uow, actor, AS_OF) if i.kind == "invoice"]
    paid = a_payment(uow, actor, customer, f"{item.open_minor / 100:.2f}", on=date(2026, 3, 20))
    apply_items(
        uow, actor, [ApplyCommand(item.item_id, paid.item_id, item.open_minor, date(2026, 3, 20))]
    )


def test_cycle_times_measure_each_stage_in_days(uow, actor, one_cycle):
    # when the cycle times of the invoices issued in March are measured
    company, customers = cycle_times(uow, actor, *MARCH)
    # then each stage is the days between its two events, and the slowest is named
    assert company.cases == 1
    assert company.mean_days == {
        "order_to_ship": 4.0,
        "ship_to_invoice": 52.0,
        "invoice_to_cash": 18.0,
        "order_to_cash": 74.0,
    }
    assert company.slowest_stage == "ship_to_invoice"
    assert len(customers) == 1
    assert customers[0].mean_days == company.mean_days


def test_ocel_log_relates_each_event_to_its_objects(uow, actor, one_cycle):
    # when the March invoices are exported as an OCEL 2.0 log
    log = ocel_log(uow, actor, *MARCH)
    # then the whole cycle is there, in time order, each event naming known objects
    assert [event["type"] for event in log["events"]] == [
        "place order",
        "ship goods",
        "issue invoice",
        "receive payment",
        "apply payment",
        "clear invoice",
    ]
    assert {o["type"] for o in log["objects"]} == {
        "customer",
        "order",
        "shipment",
        "invoice",
        "payment",
    }
    ids = {o["id"] for o in log["objects"]}
    for event in log["events"]:
        assert event["time"].endswith("Z")
        assert {r["objectId"] for r in event["relationships"]} <= ids


def test_invoices_outside_the_range_are_not_cases(uow, actor, one_cycle):
    company, customers = cycle_times(uow, actor, date(2026, 1, 1), date(2026, 1, 31))
    assert company.cases == 0
    assert customers == []
    assert company.slowest_stage is None
