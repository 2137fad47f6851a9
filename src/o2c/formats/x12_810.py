"""ANSI X12 810 (Invoice), 4010: an o2c invoice or credit note as its customer's EDI expects.

Amounts follow the standard's types: unit prices and quantities are decimals as written (R);
TDS01, the invoice total, is N2, an integer of hundredths (so 1 234.50 is `123450`, whatever
the currency's own minor unit); tax per rate is a TXI with its amount and percent; a document
discount or charge is a SAC with its amount in N2. A credit note is an 810 with BIG07 `CR`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from o2c.formats.x12 import TransactionSet
from o2c.formats.x12_850 import PartyInfo


@dataclass(frozen=True)
class InvoiceLineMessage:
    position: int
    quantity: Decimal
    unit: str
    unit_price: Decimal
    product_code: str | None
    description: str
    buyer_line_id: str | None = None


@dataclass(frozen=True)
class TaxMessage:
    category: str
    percent: Decimal
    amount: Decimal
    exemption_reason: str | None = None


@dataclass(frozen=True)
class InvoiceMessage:
    number: str
    issue_date: date
    due_date: date
    currency: str
    parties: Sequence[PartyInfo]
    lines: Sequence[InvoiceLineMessage]
    taxes: Sequence[TaxMessage]
    total: Decimal
    credit_note: bool = False
    po_number: str | None = None
    po_date: date | None = None
    discount: Decimal = Decimal(0)
    charge: Decimal = Decimal(0)


def decimal_text(value: Decimal) -> str:
    """An X12 R value: plain digits, no exponent, no trailing zeros after the point."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def hundredths(value: Decimal) -> str:
    """An X12 N2 value: the amount in hundredths, as an integer (sign kept)."""
    return str(int((value * 100).to_integral_value()))


def party_segments(party: PartyInfo) -> list[list[str]]:
    """N1 (with its id when known), N3 and N4 of one party."""
    n1 = ["N1", party.role, party.name]
    if party.id:
        n1 += [party.id_qualifier or "92", party.id]
    segments = [n1]
    if party.address:
        segments.append(["N3", *party.address[:2]])
    if party.city:
        segments.append(["N4", party.city, party.region, party.postal_code, party.country])
    return segments


def invoice_segments(invoice: InvoiceMessage) -> list[list[str]]:
    """The body of one 810 set, BIG through CTT."""
    big = [
        "BIG",
        invoice.issue_date.strftime("%Y%m%d"),
        invoice.number,
        invoice.po_date.strftime("%Y%m%d") if invoice.po_date else "",
        invoice.po_number or "",
        "",
        "",
        "CR" if invoice.credit_note else "DI",
    ]
    segments = [big, ["CUR", "SE", invoice.currency]]
    for party in invoice.parties:
        segments += party_segments(party)
    segments.append(["ITD", "01", "3", "", "", "", invoice.due_date.strftime("%Y%m%d")])
    for line in invoice.lines:
        it1 = [
            "IT1",
            line.buyer_line_id or str(line.position),
            decimal_text(line.quantity),
            line.unit.upper()[:2] or "EA",
            decimal_text(line.unit_price),
            "",
        ]
        if line.product_code:
            it1 += ["VP", line.product_code]
        segments.append(it1)
        if line.description:
            segments.append(["PID", "F", "", "", "", line.description[:80]])
    segments.append(["TDS", hundredths(invoice.total)])
    for tax in invoice.taxes:
        segments.append(["TXI", "VA", decimal_text(tax.amount), decimal_text(tax.percent)])
    if invoice.discount:
        segments.append(["SAC", "A", "C310", "", "", hundredths(invoice.discount)])
    if invoice.charge:
        segments.append(["SAC", "C", "D240", "", "", hundredths(invoice.charge)])
    segments.append(["CTT", str(len(invoice.lines))])
    return segments


def invoice_set(invoice: InvoiceMessage, control_number: int) -> TransactionSet:
    return TransactionSet("810", control_number, invoice_segments(invoice))
