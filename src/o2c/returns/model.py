"""The life of a return authorisation (RMA) and how much of an order line may come back.

    authorised ─▶ received ─▶ credited
        └──▶ cancelled

A customer may return only what was shipped to it and not returned already (on another RMA
that is not cancelled). Receiving either restocks the goods, with a `return` stock move into
a chosen warehouse, or scraps them (nothing enters stock). Crediting issues credit notes
through billing at the invoiced prices, so only units that were invoiced can be credited.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from o2c.inventory.model import quantity_problem, show
from o2c.kernel.errors import FieldError, InvalidTransition


class ReturnStatus(StrEnum):
    AUTHORISED = "authorised"
    RECEIVED = "received"
    CREDITED = "credited"
    CANCELLED = "cancelled"


class Disposition(StrEnum):
    """What happens to returned goods on arrival."""

    RESTOCK = "restock"
    SCRAP = "scrap"


S = ReturnStatus
TRANSITIONS: dict[ReturnStatus, frozenset[ReturnStatus]] = {
    S.AUTHORISED: frozenset({S.RECEIVED, S.CANCELLED}),
    S.RECEIVED: frozenset({S.CREDITED}),
    S.CREDITED: frozenset(),
    S.CANCELLED: frozenset(),
}


def transition(current: ReturnStatus, target: ReturnStatus) -> ReturnStatus:
    """`target` if a return may move there from `current`, else InvalidTransition."""
    if target not in TRANSITIONS[current]:
        raise InvalidTransition(f"a return cannot go from {current} to {target}")
    return target


@dataclass(frozen=True)
class LineRoom:
    """What an order line has shipped and what of it is already on returns."""

    line_no: int
    shipped: Decimal
    returned: Decimal

    @property
    def returnable(self) -> Decimal:
        return self.shipped - self.returned


def return_problems(
    wanted: dict[int, Decimal], room: dict[int, LineRoom], order_number: str
) -> list[FieldError]:
    """Why the quantities (order line id → quantity) cannot be authorised; empty when they can."""
    if not wanted:
        return [FieldError("lines", "a return needs at least one line")]
    errors = []
    for line_id, quantity in wanted.items():
        where = f"lines[{line_id}]"
        line = room.get(line_id)
        if line is None:
            errors.append(FieldError(where, f"not a line of order {order_number}"))
            continue
        problem = quantity_problem(quantity)
        if problem:
            errors.append(FieldError(f"{where}.quantity", problem))
        elif quantity > line.returnable:
            errors.append(
                FieldError(
                    f"{where}.quantity",
                    f"line {line.line_no}: only {show(line.returnable)} returnable"
                    f" ({show(line.shipped)} shipped, {show(line.returned)} returned already)",
                )
            )
    return errors


@dataclass(frozen=True)
class Creditable:
    """One invoice line that billed an order line, and how much of it is not yet credited."""

    invoice_id: int
    invoice_line_id: int
    order_line_id: int
    open_quantity: Decimal


def allocate_credits(
    returned: dict[int, Decimal], creditable: list[Creditable]
) -> tuple[dict[int, dict[int, Decimal]], dict[int, Decimal]]:
    """Spread each order line's returned quantity over the invoice lines that billed it.

    Oldest invoice line first. Returns invoice id → invoice line id → quantity to credit, and
    per order line what could not be placed (returned units that were never invoiced, or were
    credited already).
    """
    credits: dict[int, dict[int, Decimal]] = {}
    short: dict[int, Decimal] = {}
    for order_line_id, quantity in returned.items():
        left = quantity
        for line in creditable:
            if line.order_line_id != order_line_id or left <= 0 or line.open_quantity <= 0:
                continue
            take = min(left, line.open_quantity)
            on_invoice = credits.setdefault(line.invoice_id, {})
            on_invoice[line.invoice_line_id] = (
                on_invoice.get(line.invoice_line_id, Decimal(0)) + take
            )
            left -= take
        if left > 0:
            short[order_line_id] = left
    return credits, short
