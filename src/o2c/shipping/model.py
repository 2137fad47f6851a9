"""The shipment's life and the figures billing takes from a shipped line.

    draft ─▶ shipped ─▶ delivered
      └──▶ cancelled

Stock and the order move only when a shipment is shipped; a draft is a plan (a pick list)
that can still be cancelled. Shipped and delivered shipments can be invoiced.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from o2c.kernel.errors import InvalidTransition
from o2c.orders.model import BillableLine


class ShipmentStatus(StrEnum):
    DRAFT = "draft"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


S = ShipmentStatus
TRANSITIONS: dict[ShipmentStatus, frozenset[ShipmentStatus]] = {
    S.DRAFT: frozenset({S.SHIPPED, S.CANCELLED}),
    S.SHIPPED: frozenset({S.DELIVERED}),
    S.DELIVERED: frozenset(),
    S.CANCELLED: frozenset(),
}
INVOICEABLE = frozenset({S.SHIPPED, S.DELIVERED})


def transition(current: ShipmentStatus, target: ShipmentStatus) -> ShipmentStatus:
    """`target` if a shipment may move there from `current`, else InvalidTransition."""
    if target not in TRANSITIONS[current]:
        raise InvalidTransition(f"a shipment cannot go from {current} to {target}")
    return target


def remaining(ordered: Decimal, shipped: Decimal, planned: Decimal) -> Decimal:
    """What of an order line may still go on a new shipment: not shipped, not planned in a draft."""
    return ordered - shipped - planned


@dataclass(frozen=True)
class ShipmentBillableLine(BillableLine):
    """A shipment line still to be invoiced, with its order line's prices."""

    shipment_id: int
    shipment_line_id: int
