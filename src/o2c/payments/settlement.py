"""How much of an invoice a payment settles: cash, early-payment discount, tolerance write-off.

The rules, for cash `c` allocated to an invoice with open amount `o`:
- paid by the discount date, the invoice's discount `d` is available: when `c ≥ o − d` the
  invoice closes and the shortfall `o − c` (at most `d`) is taken as discount;
- otherwise a shortfall of at most the tolerance closes the invoice as a write-off;
- otherwise `c` is a partial payment and the invoice stays open for the rest.
Cash allocated beyond an invoice's open amount is refused: it would over-apply.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from o2c.kernel.errors import FieldError


@dataclass(frozen=True)
class InvoiceOpen:
    item_id: int
    open_minor: int
    discount_date: date | None
    discount_minor: int


@dataclass(frozen=True)
class Settle:
    item_id: int
    amount: int
    discount: int
    writeoff: int


def available_discount(invoice: InvoiceOpen, on: date) -> int:
    """The early-payment discount still on offer for a payment received `on`."""
    if invoice.discount_date is None or on > invoice.discount_date:
        return 0
    return max(0, min(invoice.discount_minor, invoice.open_minor))


def settle(invoice: InvoiceOpen, cash: int, on: date, tolerance_minor: int) -> Settle:
    """One allocation; `cash` must be positive and at most the invoice's open amount."""
    if not 0 < cash <= invoice.open_minor:
        raise ValueError(f"cash {cash} outside 1..{invoice.open_minor}")
    discount = available_discount(invoice, on)
    shortfall = invoice.open_minor - cash
    if shortfall <= discount:
        return Settle(invoice.item_id, cash, shortfall, 0)
    if shortfall - discount <= tolerance_minor:
        return Settle(invoice.item_id, cash, discount, shortfall - discount)
    return Settle(invoice.item_id, cash, 0, 0)


def plan(
    invoices: Sequence[InvoiceOpen | None],
    cash: Sequence[int],
    credit_open: int,
    on: date,
    tolerance_minor: int,
    prefix: str = "",
) -> tuple[list[Settle], list[FieldError]]:
    """Settle each invoice with its cash, in order, against running open amounts.

    An invoice of None (one the caller could not use and reported) is skipped, so the other
    allocations are still checked. Returns the settlements and every problem found
    (over-application of an invoice or of the payment's unapplied cash); callers refuse the
    whole run if there is any problem.
    """
    running = {invoice.item_id: invoice.open_minor for invoice in invoices if invoice}
    errors: list[FieldError] = []
    settles: list[Settle] = []
    for index, (invoice, amount) in enumerate(zip(invoices, cash, strict=True)):
        if invoice is None:
            continue
        open_now = running[invoice.item_id]
        if amount > open_now:
            errors.append(
                FieldError(
                    f"{prefix}allocations[{index}].amount",
                    f"exceeds the invoice's open amount ({open_now} minor units)",
                )
            )
            continue
        current = InvoiceOpen(
            invoice.item_id, open_now, invoice.discount_date, invoice.discount_minor
        )
        result = settle(current, amount, on, tolerance_minor)
        running[invoice.item_id] = open_now - result.amount - result.discount - result.writeoff
        settles.append(result)
    if sum(cash) > credit_open:
        errors.append(
            FieldError(
                f"{prefix}allocations",
                f"allocate {sum(cash)} but only {credit_open} minor units are unapplied",
            )
        )
    return settles, errors
