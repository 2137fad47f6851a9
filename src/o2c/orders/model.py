"""The sales order's life: its states, the moves between them, and the rules for its lines.

    draft ─▶ confirmed ─▶ partially_shipped ─▶ shipped ─▶ partially_invoiced ─▶ invoiced ─▶ closed
      │          │
      └──────────┴─▶ cancelled

After confirmation the state follows the lines' shipped and invoiced quantities
(`progress_status`), so it may skip ahead: invoicing outranks shipping, because for a customer
billed on order the invoice may come before the goods. Only draft and confirmed orders can be
cancelled; only invoiced ones closed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from o2c.inventory.model import QUANTITY_PLACES, quantity_problem
from o2c.kernel.errors import FieldError, InvalidTransition
from o2c.kernel.money import Money

HUNDRED = Decimal(100)


class OrderStatus(StrEnum):
    DRAFT = "draft"
    CONFIRMED = "confirmed"
    PARTIALLY_SHIPPED = "partially_shipped"
    SHIPPED = "shipped"
    PARTIALLY_INVOICED = "partially_invoiced"
    INVOICED = "invoiced"
    CLOSED = "closed"
    CANCELLED = "cancelled"


S = OrderStatus
TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    S.DRAFT: frozenset({S.CONFIRMED, S.CANCELLED}),
    S.CONFIRMED: frozenset(
        {S.PARTIALLY_SHIPPED, S.SHIPPED, S.PARTIALLY_INVOICED, S.INVOICED, S.CANCELLED}
    ),
    S.PARTIALLY_SHIPPED: frozenset({S.SHIPPED, S.PARTIALLY_INVOICED, S.INVOICED}),
    S.SHIPPED: frozenset({S.PARTIALLY_INVOICED, S.INVOICED}),
    S.PARTIALLY_INVOICED: frozenset({S.INVOICED}),
    S.INVOICED: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
    S.CANCELLED: frozenset(),
}
SHIPPABLE = frozenset({S.CONFIRMED, S.PARTIALLY_SHIPPED, S.PARTIALLY_INVOICED, S.INVOICED})
"""States in which goods may still leave: invoiced-on-order orders ship after the invoice."""
INVOICEABLE = SHIPPABLE | {S.SHIPPED}


def transition(current: OrderStatus, target: OrderStatus) -> OrderStatus:
    """`target` if the order may move there from `current`, else InvalidTransition."""
    if target not in TRANSITIONS[current]:
        raise InvalidTransition(f"an order cannot go from {current} to {target}")
    return target


def require_status(current: OrderStatus, allowed: Iterable[OrderStatus], action: str) -> None:
    allowed = frozenset(allowed)
    if current not in allowed:
        names = ", ".join(sorted(allowed))
        raise InvalidTransition(f"cannot {action} an order that is {current} (only {names})")


@dataclass(frozen=True)
class LineProgress:
    quantity: Decimal
    shipped: Decimal
    invoiced: Decimal


def progress_status(lines: Iterable[LineProgress]) -> OrderStatus:
    """The state a confirmed order is in, read from its lines' shipped and invoiced quantities."""
    lines = list(lines)
    if lines and all(li.invoiced >= li.quantity for li in lines):
        return S.INVOICED
    if any(li.invoiced > 0 for li in lines):
        return S.PARTIALLY_INVOICED
    if lines and all(li.shipped >= li.quantity for li in lines):
        return S.SHIPPED
    if any(li.shipped > 0 for li in lines):
        return S.PARTIALLY_SHIPPED
    return S.CONFIRMED


def percent_problem(value: object) -> str | None:
    """Why `value` is not a discount percent (0 to 100, four places at most), or None."""
    if not isinstance(value, Decimal | int) or isinstance(value, bool):
        return "must be a decimal number"
    percent = Decimal(value)
    if not percent.is_finite() or percent < 0 or percent > HUNDRED:
        return "must be between 0 and 100"
    exponent = percent.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -QUANTITY_PLACES:
        return f"at most {QUANTITY_PLACES} decimal places"
    return None


def line_problems(
    where: str,
    quantity: Decimal,
    unit_price: Money | None,
    discount_percent: Decimal,
    currency: str,
) -> list[FieldError]:
    """Every rule an order line breaks; `where` prefixes the field names (`lines[2]`)."""
    errors = []
    problem = quantity_problem(quantity)
    if problem:
        errors.append(FieldError(f"{where}.quantity", problem))
    if unit_price is not None:
        if unit_price.currency != currency:
            errors.append(FieldError(f"{where}.unit_price", f"must be in {currency}"))
        elif unit_price.amount < 0:
            errors.append(FieldError(f"{where}.unit_price", "must not be negative"))
    problem = percent_problem(discount_percent)
    if problem:
        errors.append(FieldError(f"{where}.discount_percent", problem))
    return errors


def backordered(
    status: OrderStatus, stocked: bool, quantity: Decimal, shipped: Decimal, reserved: Decimal
) -> Decimal:
    """Units of an open order's stocked line that are neither shipped nor reserved."""
    if not stocked or status not in SHIPPABLE:
        return Decimal(0)
    return max(Decimal(0), quantity - shipped - reserved)


@dataclass(frozen=True)
class BillableLine:
    """What of an order line is still to be invoiced, with the figures an invoice line needs.

    `net_minor` and `order_discount_minor` are this quantity's shares of the line's net and of
    its part of the order discount, prorated so that billing a line in several goes adds up
    exactly to the line's figures. Billing computes tax itself, per rate on the invoice.
    """

    order_id: int
    order_line_id: int
    line_no: int
    product_id: int
    description: str
    unit: str
    quantity: Decimal
    currency: str
    unit_price_minor: int
    discount_percent: Decimal
    tax_category: str
    tax_percent: Decimal
    net_minor: int
    order_discount_minor: int
