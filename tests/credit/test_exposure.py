"""Credit exposure: open items + confirmed orders + shipped-not-invoiced, per customer and
group, converted into the limit's currency with the stored rates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from o2c.credit.model import NoExchangeRate
from o2c.kernel.money import Money
from o2c.ledger.service import set_fx_rate
from o2c.orders.credit_check import exposure_of
from o2c.orders.service import confirm_order
from o2c.shipping.service import create_shipment, ship
from tests.builders import a_payment, an_invoice
from tests.credit.builders import a_limited_customer, an_order_worth, total_of
from tests.orders.builders import a_customer


def eur(amount: str) -> Money:
    return Money(amount, "EUR")


def test_exposure_adds_open_items_confirmed_orders_and_shipped_goods(uow, actor):
    # given open items (an invoice less unapplied cash), a confirmed order and a shipped one
    customer = a_limited_customer(uow, actor, "5000.00")
    an_invoice(uow, actor, customer, "300.00")
    a_payment(uow, actor, customer, "50.00")
    waiting = an_order_worth(uow, actor, customer, "100.00")
    confirm_order(uow, actor, waiting)
    shipped = an_order_worth(uow, actor, customer, "200.00")
    confirm_order(uow, actor, shipped)
    ship(uow, actor, create_shipment(uow, actor, shipped).id)
    an_order_worth(uow, actor, customer, "999.00")  # a draft counts for nothing
    # when its exposure is measured
    result = exposure_of(uow, actor, customer).customer
    # then each part shows, in the limit's currency, against the limit
    assert result.open_items == eur("250.00")
    assert result.ordered == total_of(uow, actor, waiting) == eur("119.00")
    assert result.shipped == total_of(uow, actor, shipped) == eur("238.00")
    assert result.total == eur("607.00")
    assert result.available == eur("4393.00")


def test_other_currencies_are_converted_at_the_rate_in_force(uow, actor):
    # given a USD customer (limit in USD) with a EUR invoice and a USD invoice
    set_fx_rate(uow, actor, "USD", date(2026, 1, 1), Decimal("0.80"))
    set_fx_rate(uow, actor, "USD", date(2026, 3, 1), Decimal("0.90"))
    set_fx_rate(uow, actor, "USD", date(2026, 4, 1), Decimal("0.50"))  # not yet in force
    customer = a_limited_customer(uow, actor, "1000.00", "USD")
    an_invoice(uow, actor, customer, "90.00", "EUR", base=9000)
    an_invoice(uow, actor, customer, "10.00", "USD", base=900)
    # when measured today (2026-03-02): 90 EUR at 0.90 EUR per USD = 100 USD
    result = exposure_of(uow, actor, customer).customer
    assert result.open_items == Money("110.00", "USD")
    # and on an earlier day the earlier rate applies: 90 / 0.80 = 112.50
    assert exposure_of(uow, actor, customer, date(2026, 2, 1)).customer.total == Money(
        "122.50", "USD"
    )


def test_a_missing_rate_is_an_error_naming_the_currency_and_day(uow, actor):
    customer = a_limited_customer(uow, actor, "1000.00", "CHF")
    an_invoice(uow, actor, customer, "90.00", "EUR")
    with pytest.raises(NoExchangeRate, match="no exchange rate for CHF on or before 2026-03-02"):
        exposure_of(uow, actor, customer)


def test_a_group_is_its_head_and_every_member_below_in_the_heads_currency(uow, actor):
    # given a head with a group limit, a subsidiary, and the subsidiary's own subsidiary
    set_fx_rate(uow, actor, "USD", date(2026, 1, 1), Decimal("0.50"))
    head = a_limited_customer(uow, actor, "10000.00")
    child = a_limited_customer(uow, actor, "300.00", parent_id=head)
    grandchild = a_limited_customer(uow, actor, None, "USD", parent_id=child)
    outsider = a_customer(uow, actor)
    an_invoice(uow, actor, head, "100.00")
    an_invoice(uow, actor, child, "200.00")
    an_invoice(uow, actor, grandchild, "100.00", "USD", base=5000)
    an_invoice(uow, actor, outsider, "999.00")
    # when the child's exposure is measured
    result = exposure_of(uow, actor, child)
    # then the child stands alone against its limit, the group together against the head's
    assert result.customer.total == eur("200.00")
    assert result.customer.limit == eur("300.00")
    assert result.group is not None
    assert set(result.group.customer_ids) == {head, child, grandchild}
    assert result.group.total == eur("350.00")
    assert result.group.limit == eur("10000.00")
    # and a customer outside any group has no group figures
    assert exposure_of(uow, actor, outsider).group is None
