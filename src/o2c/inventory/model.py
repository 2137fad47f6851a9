"""Stock as pure values: quantities, the kinds of physical move, and what may be reserved.

Quantities are Decimals with at most four places (the storage scale). A reservation is not a
move: it only earmarks on-hand units for an order, so `available = on_hand - reserved`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

QUANTITY_PLACES = 4
MAX_QUANTITY = Decimal(10) ** 10


class MoveKind(StrEnum):
    """Physical movements of stock; each changes on-hand by its signed quantity."""

    RECEIPT = "receipt"
    SHIPMENT = "shipment"
    ADJUSTMENT = "adjustment"
    RETURN = "return"


def quantity_problem(value: object, *, signed: bool = False) -> str | None:
    """Why `value` cannot be a stored quantity (positive, or non-zero when `signed`), or None."""
    if not isinstance(value, Decimal | int) or isinstance(value, bool):
        return "must be a decimal number"
    quantity = Decimal(value)
    if not quantity.is_finite():
        return "must be a finite number"
    exponent = quantity.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -QUANTITY_PLACES:
        return f"at most {QUANTITY_PLACES} decimal places"
    if abs(quantity) >= MAX_QUANTITY:
        return "is too large"
    if signed and quantity == 0:
        return "must not be zero"
    if not signed and quantity <= 0:
        return "must be positive"
    return None


@dataclass(frozen=True)
class StockPosition:
    """One product in one warehouse."""

    on_hand: Decimal
    reserved: Decimal

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved


def reservable(position: StockPosition, wanted: Decimal, allow_negative: bool) -> Decimal:
    """How much of `wanted` can be reserved: what is available, or all of it where stock may
    go negative."""
    if allow_negative:
        return wanted
    return max(Decimal(0), min(wanted, position.available))


def issue_problem(
    position: StockPosition, quantity: Decimal, from_reservation: Decimal, allow_negative: bool
) -> str | None:
    """Why `quantity` cannot leave stock, `from_reservation` of it earmarked earlier, or None.

    Units that were not reserved may only come from what is available, so a shipment never
    takes units another order holds.
    """
    if from_reservation > quantity or from_reservation > position.reserved:
        return "uses more reservation than is held"
    if allow_negative:
        return None
    unreserved = quantity - from_reservation
    if unreserved > position.available:
        return f"only {show(position.available)} available, {show(unreserved)} unreserved needed"
    return None


def show(quantity: Decimal) -> str:
    """A quantity as people write it: 2 rather than 2.0000, 2.5 rather than 2.5000."""
    return f"{quantity.normalize():f}"
