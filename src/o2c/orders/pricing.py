"""Order arithmetic: line nets, the order discount spread over lines, tax per rate, totals.

Each figure is rounded once, half-up to the minor unit: a line's net, the order discount, a
rate's tax (on the sum of that rate's nets, as EN 16931 does). The order discount and each
rate's tax are spread over the lines by largest remainder, so line figures always add up to
the order's to the last cent. Billing uses the same rules, so an order invoiced in full gives
the same totals as the order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from o2c.kernel.money import Money, allocate, total

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class LineInput:
    """What prices one line: quantity, unit price, line discount and its resolved tax rate."""

    quantity: Decimal
    unit_price: Money
    discount_percent: Decimal
    tax_category: str
    tax_percent: Decimal


@dataclass(frozen=True)
class LinePrice:
    net: Money
    """Quantity × unit price less the line discount (the EN 16931 line net amount)."""
    order_discount: Money
    """This line's share of the order discount."""
    tax: Money
    """This line's share of its rate's tax."""

    @property
    def taxable(self) -> Money:
        return self.net - self.order_discount


@dataclass(frozen=True)
class TaxLine:
    category: str
    percent: Decimal
    taxable: Money
    tax: Money


@dataclass(frozen=True)
class OrderTotals:
    lines: tuple[LinePrice, ...]
    taxes: tuple[TaxLine, ...]
    lines_net: Money
    discount: Money
    net: Money
    tax: Money
    total: Money


def line_net(quantity: Decimal, unit_price: Money, discount_percent: Decimal) -> Money:
    """Quantity × price less the line discount, rounded once, half-up."""
    return unit_price.multiply(quantity * (HUNDRED - discount_percent) / HUNDRED, ROUND_HALF_UP)


def spread(amount: Money, weights: Sequence[Money]) -> list[Money]:
    """Split `amount` over lines in proportion to `weights`; evenly when all weights are zero."""
    if not weights:
        return []
    if not amount:
        return [Money.zero(amount.currency)] * len(weights)
    minors = [w.minor for w in weights]
    parts = allocate(amount.minor, minors if any(minors) else [1] * len(minors))
    return [Money.from_minor(part, amount.currency) for part in parts]


def price_order(
    lines: Sequence[LineInput], order_discount_percent: Decimal, currency: str
) -> OrderTotals:
    """Every figure of an order from its lines and order-level discount percent."""
    nets = [line_net(li.quantity, li.unit_price, li.discount_percent) for li in lines]
    lines_net = total(nets, currency)
    discount = lines_net.multiply(order_discount_percent / HUNDRED, ROUND_HALF_UP)
    shares = spread(discount, nets)
    taxables = [net - share for net, share in zip(nets, shares, strict=True)]
    groups: dict[tuple[str, Decimal], list[int]] = {}
    for index, line in enumerate(lines):
        groups.setdefault((line.tax_category, line.tax_percent.normalize()), []).append(index)
    taxes = []
    line_taxes = [Money.zero(currency)] * len(lines)
    for (category, _), members in groups.items():
        percent = lines[members[0]].tax_percent
        taxable = total((taxables[i] for i in members), currency)
        tax = taxable.multiply(percent / HUNDRED, ROUND_HALF_UP)
        taxes.append(TaxLine(category, percent, taxable, tax))
        for index, part in zip(members, spread(tax, [taxables[i] for i in members]), strict=True):
            line_taxes[index] = part
    net = lines_net - discount
    tax_total = total((t.tax for t in taxes), currency)
    return OrderTotals(
        lines=tuple(LinePrice(n, s, t) for n, s, t in zip(nets, shares, line_taxes, strict=True)),
        taxes=tuple(taxes),
        lines_net=lines_net,
        discount=discount,
        net=net,
        tax=tax_total,
        total=net + tax_total,
    )


def prorate(amount_minor: int, quantity: Decimal, done: Decimal, part: Decimal) -> int:
    """The share of a line amount for `part` of its `quantity`, after `done` was taken.

    Cumulative: the share up to each point is rounded half-up, and a part is the difference
    between two such points, so the parts of a line billed in several goes add up exactly to
    its amount.
    """
    if quantity <= 0:
        raise ValueError("a line's quantity must be positive")

    def upto(portion: Decimal) -> int:
        exact = Decimal(amount_minor) * portion / quantity
        return int(exact.to_integral_value(rounding=ROUND_HALF_UP))

    return upto(done + part) - upto(done)
