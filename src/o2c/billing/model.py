"""Invoices and credit notes as pure values: kinds, states, commands and their input rules."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from o2c.kernel.currency import minor_units
from o2c.kernel.errors import FieldError, InvalidTransition


class InvoiceKind(StrEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


class InvoiceStatus(StrEnum):
    DRAFT = "draft"
    POSTED = "posted"
    CANCELLED = "cancelled"


class InvoiceSource(StrEnum):
    O2C = "o2c"
    IMPORT = "import"


@dataclass(frozen=True)
class LineCreate:
    """One invoice line as entered: `unit_price` in the invoice currency, at most its minor unit.

    `tax_category` defaults to the product's; its percent and exemption reason come from the
    company's tax rates, so a line never carries a hand-typed tax percent.
    """

    description: str
    quantity: Decimal
    unit_price: Decimal
    product_id: int | None = None
    discount_percent: Decimal = Decimal(0)
    tax_category: str | None = None
    source_line_id: int | None = None


@dataclass(frozen=True)
class InvoiceCreate:
    """A draft invoice. Currency and payment term default to the customer's."""

    customer_id: int
    lines: Sequence[LineCreate]
    issue_date: date | None = None
    currency: str | None = None
    payment_term: str | None = None
    po_number: str | None = None
    discount: Decimal = Decimal(0)
    discount_reason: str | None = None
    charge: Decimal = Decimal(0)
    charge_reason: str | None = None
    notes: str | None = None
    order_id: int | None = None
    shipment_id: int | None = None


@dataclass(frozen=True)
class CreditLine:
    """Credit `quantity` of an invoice line, at its price or at a corrected `unit_price`."""

    invoice_line_id: int
    quantity: Decimal | None = None
    unit_price: Decimal | None = None


@dataclass(frozen=True)
class PostedInvoice:
    invoice_id: int
    number: str
    entry_id: int
    item_id: int


@dataclass(frozen=True)
class InvoiceFilter:
    customer_id: int | None = None
    status: InvoiceStatus | None = None
    kind: InvoiceKind | None = None
    issued_from: date | None = None
    issued_to: date | None = None
    limit: int = 50
    offset: int = 0


def to_minor(amount: Decimal, currency: str) -> int | None:
    """Exact minor units of `amount`, or None when it has more decimals than `currency` allows."""
    scaled = amount.scaleb(minor_units(currency))
    if scaled != scaled.to_integral_value():
        return None
    return int(scaled)


def check_lines(lines: Sequence[LineCreate], currency: str) -> list[FieldError]:
    """Every problem of the lines at once, named by their position (`lines[2].quantity`)."""
    errors: list[FieldError] = []
    if not lines:
        errors.append(FieldError("lines", "an invoice needs at least one line"))
    for index, line in enumerate(lines):
        where = f"lines[{index}]"
        if not line.description.strip():
            errors.append(FieldError(f"{where}.description", "must not be empty"))
        if not line.quantity.is_finite() or line.quantity <= 0:
            errors.append(FieldError(f"{where}.quantity", "must be positive"))
        elif line.quantity.scaleb(4) % 1:
            errors.append(FieldError(f"{where}.quantity", "at most 4 decimals"))
        if not line.unit_price.is_finite() or line.unit_price < 0:
            errors.append(FieldError(f"{where}.unit_price", "must not be negative"))
        elif to_minor(line.unit_price, currency) is None:
            errors.append(
                FieldError(f"{where}.unit_price", f"more decimals than {currency} allows")
            )
        if not Decimal(0) <= line.discount_percent <= Decimal(100):
            errors.append(FieldError(f"{where}.discount_percent", "must be between 0 and 100"))
    return errors


def check_adjustment(name: str, amount: Decimal, currency: str) -> list[FieldError]:
    """A document discount or charge: not negative, within the currency's minor unit."""
    if not amount.is_finite() or amount < 0:
        return [FieldError(name, "must not be negative")]
    if to_minor(amount, currency) is None:
        return [FieldError(name, f"more decimals than {currency} allows")]
    return []


def require_draft(status: str, number: str | None, invoice_id: int) -> None:
    """Only drafts can be posted: a posted invoice is corrected by a credit note, never edited."""
    if status != InvoiceStatus.DRAFT:
        raise InvalidTransition(f"invoice {number or invoice_id} is {status}, not a draft")


def fingerprint(*parts: object) -> str:
    """A stable digest of a request, so a reused Idempotency-Key with another body is refused."""
    return hashlib.sha256(json.dumps(parts, default=str, sort_keys=True).encode()).hexdigest()
