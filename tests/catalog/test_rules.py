"""Catalog rules without a database: quantity breaks and plain decimals."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from o2c.catalog.model import PriceListItem, pick_price, plain
from o2c.kernel.money import Money

quantities = st.decimals(min_value=0, max_value=10_000, places=2)


@given(st.lists(quantities, min_size=1, max_size=8, unique=True), quantities)
def test_the_largest_break_not_above_the_quantity_sets_the_price(breaks, quantity):
    # Given a list whose price at each break is the break itself (so the price names the break)
    items = [PriceListItem(7, b, Money(b, "EUR")) for b in breaks]
    items.append(PriceListItem(8, Decimal(0), Money(999, "EUR")))  # another product

    # When a quantity is priced
    price = pick_price(items, 7, quantity)

    # Then it is the largest break reached, or none when the quantity is below every break
    reached = [b for b in breaks if b <= quantity]
    assert price == (Money(max(reached), "EUR") if reached else None)


def test_plain_decimals_drop_trailing_zeros_but_never_use_exponents():
    assert [str(plain(Decimal(v))) for v in ("19.0000", "2.5000", "100", "0.0000")] == [
        "19",
        "2.5",
        "100",
        "0",
    ]
