"""Invoice arithmetic: line nets, document discount and charge, tax per rate, totals.

Every rounding is half-up to the minor unit and happens once per figure: a line's net, a
rate's tax. The document discount and charge are spread over the lines by largest remainder
(`allocate`), so each line's revenue, each rate's taxable base and the net total agree to the
last minor unit, and the tax is computed on exactly the base the ledger credits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from o2c.kernel.money import allocate

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class PricedLine:
    """A line with its tax resolved: prices in minor units, percentages as plain Decimals."""

    quantity: Decimal
    unit_price_minor: int
    discount_percent: Decimal
    tax_category: str
    tax_percent: Decimal
    exemption_reason: str | None = None
    # A net fixed upstream (an order line billed in parts keeps the order's proration).
    fixed_net_minor: int | None = None

    @property
    def net_minor(self) -> int:
        if self.fixed_net_minor is not None:
            return self.fixed_net_minor
        return line_net(self.quantity, self.unit_price_minor, self.discount_percent)


@dataclass(frozen=True)
class TaxAmount:
    category: str
    percent: Decimal
    exemption_reason: str | None
    taxable_minor: int
    tax_minor: int


@dataclass(frozen=True)
class InvoiceTotals:
    line_nets: tuple[int, ...]
    revenue: tuple[int, ...]
    taxes: tuple[TaxAmount, ...]
    net_minor: int
    tax_minor: int
    total_minor: int


def _half_up(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_HALF_UP))


def line_net(quantity: Decimal, unit_price_minor: int, discount_percent: Decimal) -> int:
    """Quantity × price less the line discount, rounded once."""
    return _half_up(quantity * unit_price_minor * (HUNDRED - discount_percent) / HUNDRED)


def _spread(amount: int, weights: Sequence[int]) -> list[int]:
    if amount == 0:
        return [0] * len(weights)
    if not any(weights):
        weights = [1] * len(weights)
    return allocate(amount, weights)


def spread(nets: Sequence[int], discount_minor: int, charge_minor: int) -> list[int]:
    """Each line's revenue: its net less its share of the discount plus its share of the charge."""
    discounts = _spread(discount_minor, nets)
    charges = _spread(charge_minor, nets)
    return [n - d + c for n, d, c in zip(nets, discounts, charges, strict=True)]


def compute_totals(
    lines: Sequence[PricedLine], discount_minor: int = 0, charge_minor: int = 0
) -> InvoiceTotals:
    """All figures of an invoice. The discount must not exceed the lines' net."""
    nets = [line.net_minor for line in lines]
    if discount_minor > sum(nets):
        raise ValueError("the document discount exceeds the lines' net amount")
    revenue = spread(nets, discount_minor, charge_minor)
    groups: dict[tuple[str, Decimal], tuple[str | None, int]] = {}
    for line, amount in zip(lines, revenue, strict=True):
        key = (line.tax_category, line.tax_percent)
        reason, taxable = groups.get(key, (line.exemption_reason, 0))
        groups[key] = (reason, taxable + amount)
    taxes = tuple(
        TaxAmount(category, percent, reason, taxable, _half_up(taxable * percent / HUNDRED))
        for (category, percent), (reason, taxable) in groups.items()
    )
    net = sum(revenue)
    tax = sum(t.tax_minor for t in taxes)
    return InvoiceTotals(tuple(nets), tuple(revenue), taxes, net, tax, net + tax)


def prorate(amount: int, part: int, whole: int) -> int:
    """`amount` × part / whole, half-up: the share of a document discount a partial credit takes."""
    if part == whole:
        return amount
    if whole == 0:
        return 0
    return _half_up(Decimal(amount) * part / whole)
