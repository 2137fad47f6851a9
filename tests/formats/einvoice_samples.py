"""Small e-invoices built by hand, each exercising one of the cases EN 16931 makes hard."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from o2c.formats.einvoice import (
    Address,
    AllowanceCharge,
    DocumentType,
    EInvoice,
    Endpoint,
    Line,
    Party,
    Payment,
    PrecedingInvoice,
    Tax,
    TaxSubtotal,
    Totals,
    VatCategory,
)

STANDARD = Tax(VatCategory.STANDARD, Decimal(19))
REDUCED = Tax(VatCategory.STANDARD, Decimal(7))
EXEMPT = Tax(VatCategory.EXEMPT, Decimal(0))
EXEMPT_REASON = "Exempt under section 4 no. 21 UStG (vocational training)"

SELLER = Party(
    "Demo Company GmbH",
    Address(("Hauptstraße 1",), "Berlin", "10115", "DE"),
    vat_id="DE123456789",
    legal_id="HRB 12345",
    endpoint=Endpoint("9930", "DE123456789"),
    contact_name="Accounts receivable",
    contact_phone="+49 30 1234567",
    contact_email="ar@demo.example",
)
BUYER = Party(
    "Käufer AG",
    Address(("Marktplatz 5", "2. OG"), "München", "80331", "DE"),
    vat_id="DE987654321",
    endpoint=Endpoint("9930", "DE987654321"),
)


def line(number: int, quantity: str, price: str, tax: Tax, discount_percent: str = "0") -> Line:
    """A line priced like billing prices it: net rounded half-up once, the rest is allowance."""
    gross = Decimal(quantity) * Decimal(price) * 100
    net = int((gross * (100 - Decimal(discount_percent)) / 100).to_integral_value(ROUND_HALF_UP))
    allowance = int(gross.to_integral_value(ROUND_HALF_UP)) - net
    return Line(str(number), f"Item {number}", Decimal(quantity), "C62", Decimal(price),
                allowance, net, tax, seller_item_id=f"SKU-{number}")  # fmt: skip


def assemble(
    lines: list[Line],
    adjustments: tuple[AllowanceCharge, ...] = (),
    reasons: dict[VatCategory, str] | None = None,
    **fields: object,
) -> EInvoice:
    """The document with its breakdown and totals computed from the lines and adjustments."""
    reasons = reasons or {}
    taxable: dict[Tax, int] = {}
    for item in lines:
        taxable[item.tax] = taxable.get(item.tax, 0) + item.net_minor
    for adj in adjustments:
        taxable[adj.tax] += adj.amount_minor if adj.charge else -adj.amount_minor
    taxes = [
        TaxSubtotal(
            tax,
            base,
            int((base * tax.percent / 100).to_integral_value(ROUND_HALF_UP)),
            reasons.get(tax.category),
        )
        for tax, base in taxable.items()
    ]
    lines_minor = sum(item.net_minor for item in lines)
    allowances = sum(a.amount_minor for a in adjustments if not a.charge)
    charges = sum(a.amount_minor for a in adjustments if a.charge)
    exclusive = lines_minor - allowances + charges
    tax = sum(t.tax_minor for t in taxes)
    totals = Totals(lines_minor, allowances, charges, exclusive, tax, exclusive + tax, 0,
                    exclusive + tax)  # fmt: skip
    base = EInvoice(
        number="INV-2026-000042",
        document_type=DocumentType.INVOICE,
        issue_date=date(2026, 3, 2),
        due_date=date(2026, 4, 1),
        currency="EUR",
        seller=SELLER,
        buyer=BUYER,
        lines=lines,
        taxes=taxes,
        totals=totals,
        buyer_reference="PO-7781",
        order_reference="PO-7781",
        payment=Payment(
            "58", "RF18INV2026000042", "DE89370400440532013000", "COBADEFFXXX", "Demo Company GmbH"
        ),
        payment_terms="Net 30 days",
        allowances_charges=adjustments,
    )
    return replace(base, **fields)  # type: ignore[arg-type]


def simple_invoice() -> EInvoice:
    return assemble([line(1, "3", "19.99", STANDARD)])


def hard_invoice() -> EInvoice:
    """Three rates (19 %, 7 %, exempt with a reason), line discounts, a document discount and
    a document charge, each split per VAT rate."""
    lines = [
        line(1, "3", "19.99", STANDARD, "10"),
        line(2, "1.5", "4.35", REDUCED),
        line(3, "2", "450", EXEMPT),
        line(4, "7", "0.33", STANDARD, "2.5"),
    ]
    adjustments = (
        AllowanceCharge(False, 523, "Loyalty discount", STANDARD),
        AllowanceCharge(False, 65, "Loyalty discount", REDUCED),
        AllowanceCharge(False, 9000, "Loyalty discount", EXEMPT),
        AllowanceCharge(True, 1190, "Freight", STANDARD),
        AllowanceCharge(True, 10, "Freight", REDUCED),
    )
    return assemble(lines, adjustments, {VatCategory.EXEMPT: EXEMPT_REASON})


def credit_note() -> EInvoice:
    return assemble(
        [line(1, "1", "19.99", STANDARD), line(2, "1", "450", EXEMPT)],
        reasons={VatCategory.EXEMPT: EXEMPT_REASON},
        number="CN-2026-000007",
        document_type=DocumentType.CREDIT_NOTE,
        due_date=None,
        payment=Payment("97", "CN-2026-000007"),
        payment_terms="Settled against open invoices or refunded on request",
        preceding=PrecedingInvoice("INV-2026-000042", date(2026, 3, 2)),
    )


def foreign_currency_invoice() -> EInvoice:
    """USD invoice of a EUR company: VAT repeated in EUR at the invoice's rate."""
    invoice = assemble(
        [line(1, "10", "12.50", STANDARD), line(2, "4", "3.10", REDUCED)], currency="USD"
    )
    eur = int((invoice.totals.tax_minor * Decimal("0.92")).to_integral_value(ROUND_HALF_UP))
    return replace(invoice, tax_currency="EUR", tax_in_tax_currency_minor=eur)


ALL = {
    "simple": simple_invoice,
    "hard": hard_invoice,
    "credit_note": credit_note,
    "foreign_currency": foreign_currency_invoice,
}
