from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given
from hypothesis import strategies as st

from o2c.kernel.money import Money
from o2c.orders.pricing import LineInput, line_net, price_order, prorate

D = Decimal


def eur(amount: str) -> Money:
    return Money(amount, "EUR")


def test_order_with_two_rates_and_both_discounts_adds_up_to_the_cent():
    lines = [
        LineInput(D(3), eur("19.99"), D(10), "standard", D(19)),  # 59.97 - 10 % = 53.973
        LineInput(D(2), eur("7.45"), D(0), "reduced", D(7)),  # 14.90
        LineInput(D(1), eur("100.00"), D("2.5"), "standard", D(19)),  # 97.50
    ]

    totals = price_order(lines, D(5), "EUR")

    assert [p.net for p in totals.lines] == [eur("53.97"), eur("14.90"), eur("97.50")]
    assert totals.lines_net == eur("166.37")
    assert totals.discount == eur("8.32")  # 5 % of 166.37 = 8.3185
    assert [p.order_discount for p in totals.lines] == [eur("2.70"), eur("0.74"), eur("4.88")]
    assert [(t.category, t.taxable, t.tax) for t in totals.taxes] == [
        ("standard", eur("143.89"), eur("27.34")),  # 19 % of 143.89 = 27.3391
        ("reduced", eur("14.16"), eur("0.99")),  # 7 % of 14.16 = 0.9912
    ]
    assert [p.tax for p in totals.lines] == [eur("9.74"), eur("0.99"), eur("17.60")]
    assert (totals.net, totals.tax, totals.total) == (eur("158.05"), eur("28.33"), eur("186.38"))


def test_tax_is_rounded_once_per_rate_not_per_line():
    # Per line, 19 % of 0.13 rounds to 0.02 three times (0.06); on the sum 0.39 it is 0.07.
    lines = [LineInput(D(1), eur("0.13"), D(0), "standard", D(19))] * 3

    totals = price_order(lines, D(0), "EUR")

    assert totals.tax == eur("0.07")
    assert sum(p.tax.minor for p in totals.lines) == 7


def test_currency_without_minor_units_rounds_to_whole_yen():
    totals = price_order([LineInput(D("1.5"), Money(333, "JPY"), D(0), "std", D(10))], D(0), "JPY")

    assert (totals.net, totals.tax, totals.total) == (
        Money(500, "JPY"),  # 499.5 rounds half up
        Money(50, "JPY"),
        Money(550, "JPY"),
    )


def test_a_free_line_takes_no_share_of_the_discount():
    lines = [
        LineInput(D(1), eur("0.00"), D(0), "standard", D(19)),
        LineInput(D(1), eur("10.00"), D(0), "standard", D(19)),
    ]

    totals = price_order(lines, D(10), "EUR")

    assert [p.order_discount for p in totals.lines] == [eur("0.00"), eur("1.00")]


def test_line_net_rounds_half_up_once():
    assert line_net(D("0.5"), eur("0.05"), D(0)) == eur("0.03")  # 0.025
    assert line_net(D(3), eur("0.10"), D("33.3333")) == eur("0.20")  # 0.2000001


def test_prorating_a_line_in_thirds_adds_back_to_the_line():
    parts = [prorate(100, D(3), D(done), D(1)) for done in range(3)]

    assert parts == [33, 34, 33]


money_amounts = st.integers(min_value=0, max_value=10_000_000)
percents = st.decimals(min_value=0, max_value=100, places=2)
line_inputs = st.builds(
    lambda q, minor, disc, rate: LineInput(q, Money.from_minor(minor, "EUR"), disc, *rate),
    st.decimals(min_value=D("0.0001"), max_value=D(10_000), places=4),
    money_amounts,
    percents,
    st.sampled_from([("standard", D(19)), ("reduced", D(7)), ("zero", D(0)), ("odd", D("8.875"))]),
)


@given(st.lists(line_inputs, min_size=1, max_size=12), percents)
def test_order_figures_always_add_up_exactly(lines, order_discount):
    totals = price_order(lines, order_discount, "EUR")

    assert sum(p.net.minor for p in totals.lines) == totals.lines_net.minor
    assert sum(p.order_discount.minor for p in totals.lines) == totals.discount.minor
    assert sum(p.tax.minor for p in totals.lines) == totals.tax.minor
    assert sum(t.tax.minor for t in totals.taxes) == totals.tax.minor
    assert sum(t.taxable.minor for t in totals.taxes) == totals.net.minor
    assert totals.net == totals.lines_net - totals.discount
    assert totals.total == totals.net + totals.tax
    assert all(p.order_discount <= p.net for p in totals.lines)
    exact_discount = totals.lines_net.amount * order_discount / 100
    assert abs(totals.discount.amount - exact_discount) <= D("0.005")
    for tax in totals.taxes:
        exact = tax.taxable.amount * tax.percent / 100
        assert tax.tax.amount == exact.quantize(D("0.01"), rounding=ROUND_HALF_UP)


@given(
    st.integers(min_value=-10_000_000, max_value=10_000_000),
    st.lists(st.decimals(min_value=D("0.0001"), max_value=D(1000), places=4), min_size=1),
)
def test_prorated_parts_of_a_line_sum_to_the_whole(amount, parts):
    quantity = sum(parts, D(0))
    done = D(0)
    shares = []
    for part in parts:
        shares.append(prorate(amount, quantity, done, part))
        done += part

    assert sum(shares) == amount
