"""Invariants of settling invoices with cash (pure): never over-applied, rules honoured."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from o2c.payments.settlement import InvoiceOpen, available_discount, plan, settle

DAY = date(2026, 3, 1)

invoices = st.builds(
    InvoiceOpen,
    item_id=st.integers(1, 4),
    open_minor=st.integers(1, 100_000),
    discount_date=st.one_of(st.none(), st.dates(DAY - timedelta(days=5), DAY + timedelta(days=5))),
    discount_minor=st.integers(0, 5_000),
)


@given(invoice=invoices, data=st.data(), tolerance=st.integers(0, 500))
def test_a_settlement_never_exceeds_the_open_amount_and_follows_the_rules(invoice, data, tolerance):
    cash = data.draw(st.integers(1, invoice.open_minor))

    result = settle(invoice, cash, DAY, tolerance)

    assert result.amount == cash
    assert cash + result.discount + result.writeoff <= invoice.open_minor
    assert result.discount <= available_discount(invoice, DAY)
    assert result.writeoff <= tolerance
    closes = cash + result.discount + result.writeoff == invoice.open_minor
    shortfall = invoice.open_minor - cash - available_discount(invoice, DAY)
    assert closes == (shortfall <= tolerance)


@given(
    items=st.lists(invoices, min_size=1, max_size=6),
    data=st.data(),
    credit=st.integers(1, 300_000),
    tolerance=st.integers(0, 500),
)
def test_cash_is_never_over_applied_across_a_run(items, data, credit, tolerance):
    cash = [data.draw(st.integers(1, 120_000)) for _ in items]
    opens: dict[int, int] = {}
    for item in items:
        opens.setdefault(item.item_id, item.open_minor)
    # The same item seen twice carries one open amount, as the service passes it.
    items = [
        InvoiceOpen(i.item_id, opens[i.item_id], i.discount_date, i.discount_minor) for i in items
    ]

    settles, errors = plan(items, cash, credit, DAY, tolerance)

    if errors:
        return
    assert sum(s.amount for s in settles) <= credit
    for item_id, open_minor in opens.items():
        taken = sum(s.amount + s.discount + s.writeoff for s in settles if s.item_id == item_id)
        assert taken <= open_minor


def test_discount_is_available_through_its_last_day_only():
    invoice = InvoiceOpen(1, 10_000, DAY, 200)

    assert available_discount(invoice, DAY) == 200
    assert available_discount(invoice, DAY + timedelta(days=1)) == 0
