"""A presentable invoice or credit note as EN 16931 data, for the UBL and CII writers.

The figures are the ledger's: line nets, the tax per rate and the totals as posted. What the
standard wants beyond them is derived here without changing them:
- a line discount becomes a line allowance (gross − net), so quantity × price − allowance is
  the stored net within the rules' 0.02 slack;
- the document discount and charge become one allowance / charge per VAT rate: billing
  spreads them over the lines by largest remainder, so each rate's share follows from its
  stored taxable amount (lines − allowance + charge = taxable, rule BR-S-08 and siblings);
- o2c tax categories with the same VAT code and rate merge into one breakdown line;
- an invoice in another currency repeats its VAT in the company's base currency (BT-111).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from o2c.billing.presentable import (
    VAT_SCHEMES,
    Buyer,
    Company,
    Presentable,
    PresentedLine,
    unit_code,
    vat_category,
)
from o2c.billing.totals import spread
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
from o2c.formats.references import rf_reference
from o2c.kernel.currency import minor_units
from o2c.ledger.model import to_base

SEPA_CREDIT_TRANSFER = "58"
CREDIT_TRANSFER = "30"
CLEARING_BETWEEN_PARTNERS = "97"
CREDIT_NOTE_TERMS = "Set off against open invoices; refunded on request."


def payment_reference(doc: Presentable) -> str:
    """The RF creditor reference customers quote: built from the document number."""
    return rf_reference(doc.number)


def to_einvoice(doc: Presentable) -> EInvoice:
    """The document in EN 16931's terms, ready for `write_ubl` or `write_cii`."""
    taxes = _merged_taxes(doc)
    not_subject = any(t.tax.category is VatCategory.NOT_SUBJECT for t in taxes)
    tax_currency = None if doc.currency == doc.seller.base_currency else doc.seller.base_currency
    return EInvoice(
        number=doc.number,
        document_type=DocumentType.CREDIT_NOTE if doc.credit_note else DocumentType.INVOICE,
        issue_date=doc.issue_date,
        due_date=None if doc.credit_note else doc.due_date,
        currency=doc.currency,
        seller=_seller(doc.seller, with_vat=not not_subject),
        buyer=_buyer(doc.buyer, with_vat=not not_subject),
        lines=[_line(doc, line) for line in doc.lines],
        taxes=taxes,
        totals=Totals(
            lines_minor=doc.lines_minor,
            allowances_minor=doc.discount_minor,
            charges_minor=doc.charge_minor,
            tax_exclusive_minor=doc.net_minor,
            tax_minor=doc.tax_minor,
            tax_inclusive_minor=doc.total_minor,
            prepaid_minor=0,
            payable_minor=doc.total_minor,
        ),
        buyer_reference=doc.po_number or doc.buyer.code,
        order_reference=doc.po_number,
        preceding=PrecedingInvoice(*doc.credited) if doc.credited else None,
        notes=tuple(n for n in (doc.notes,) if n),
        payment=_payment(doc),
        payment_terms=CREDIT_NOTE_TERMS if doc.credit_note else _terms_text(doc),
        allowances_charges=_adjustments(doc),
        tax_currency=tax_currency,
        tax_in_tax_currency_minor=None
        if tax_currency is None
        else to_base(doc.tax_minor, doc.currency, tax_currency, doc.rate),
    )


def _tax(category: str, percent: Decimal, reason: str | None) -> Tax:
    return Tax(vat_category(category, percent, reason), percent.normalize())


def _reasons(doc: Presentable) -> dict[tuple[str, Decimal], str | None]:
    return {(t.category, t.percent): t.exemption_reason for t in doc.taxes}


def _merged_taxes(doc: Presentable) -> list[TaxSubtotal]:
    merged: dict[Tax, TaxSubtotal] = {}
    for t in doc.taxes:
        tax = _tax(t.category, t.percent, t.exemption_reason)
        before = merged.get(tax)
        if before is None:
            merged[tax] = TaxSubtotal(tax, t.taxable_minor, t.tax_minor, t.exemption_reason)
        else:
            merged[tax] = TaxSubtotal(tax, before.taxable_minor + t.taxable_minor,
                                      before.tax_minor + t.tax_minor,
                                      before.exemption_reason or t.exemption_reason)  # fmt: skip
    return list(merged.values())


def _line(doc: Presentable, line: PresentedLine) -> Line:
    exponent = minor_units(doc.currency)
    price = Decimal(line.unit_price_minor).scaleb(-exponent)
    gross = int((line.quantity * line.unit_price_minor).to_integral_value(ROUND_HALF_UP))
    allowance = gross - line.net_minor
    if allowance < 0:
        # A net fixed upstream above quantity × price (a prorated part): state the net price.
        price = (Decimal(line.net_minor).scaleb(-exponent) / line.quantity).quantize(
            Decimal("0.000001"), ROUND_HALF_UP
        )
        allowance = 0
    reason = _reasons(doc).get((line.tax_category, line.tax_percent))
    return Line(
        line_id=str(line.position),
        name=line.description,
        quantity=line.quantity,
        unit_code=unit_code(line.unit),
        price=price,
        allowance_minor=allowance,
        net_minor=line.net_minor,
        tax=_tax(line.tax_category, line.tax_percent, reason),
        seller_item_id=line.sku,
        allowance_reason=f"Discount {line.discount_percent.normalize():f} %"
        if line.discount_percent
        else "Price adjustment",
    )


def _adjustments(doc: Presentable) -> tuple[AllowanceCharge, ...]:
    """One allowance and one charge per VAT rate, as billing spread them over the lines."""
    if not doc.discount_minor and not doc.charge_minor:
        return ()
    nets = [line.net_minor for line in doc.lines]
    charges = [r - n for r, n in zip(spread(nets, 0, doc.charge_minor), nets, strict=True)]
    reasons = _reasons(doc)
    lines_by_tax: dict[Tax, int] = {}
    charge_by_tax: dict[Tax, int] = {}
    for line, charge in zip(doc.lines, charges, strict=True):
        tax = _tax(line.tax_category, line.tax_percent,
                   reasons.get((line.tax_category, line.tax_percent)))  # fmt: skip
        lines_by_tax[tax] = lines_by_tax.get(tax, 0) + line.net_minor
        charge_by_tax[tax] = charge_by_tax.get(tax, 0) + charge
    taxable = {t.tax: t.taxable_minor for t in _merged_taxes(doc)}
    found: list[AllowanceCharge] = []
    discount_reason = doc.discount_reason or "Discount"
    charge_reason = doc.charge_reason or "Charge"
    for tax, lines_minor in lines_by_tax.items():
        allowance = lines_minor + charge_by_tax[tax] - taxable.get(tax, lines_minor)
        if allowance:
            found.append(AllowanceCharge(False, allowance, discount_reason, tax))
    for tax, charge in charge_by_tax.items():
        if charge:
            found.append(AllowanceCharge(True, charge, charge_reason, tax))
    return tuple(found)


def _endpoint(explicit: tuple[str, str] | None, vat_id: str | None) -> Endpoint | None:
    if explicit is not None:
        return Endpoint(*explicit)
    if vat_id and vat_id[:2] in VAT_SCHEMES:
        return Endpoint(VAT_SCHEMES[vat_id[:2]], vat_id)
    return None


def _seller(company: Company, *, with_vat: bool) -> Party:
    return Party(
        name=company.legal_name,
        address=Address(company.street, company.city, company.postal_code, company.country),
        vat_id=company.vat_id if with_vat else None,
        legal_id=company.registration,
        endpoint=_endpoint(company.endpoint, company.vat_id),
        contact_name=company.contact_name,
        contact_phone=company.phone,
        contact_email=company.email,
    )


def _buyer(buyer: Buyer, *, with_vat: bool) -> Party:
    return Party(
        name=buyer.name,
        address=Address(buyer.street, buyer.city, buyer.postal_code, buyer.country, buyer.region),
        vat_id=buyer.vat_id if with_vat else None,
        endpoint=_endpoint(buyer.endpoint, buyer.vat_id),
        contact_email=buyer.email,
    )


def _payment(doc: Presentable) -> Payment:
    if doc.credit_note:
        return Payment(CLEARING_BETWEEN_PARTNERS, doc.number)
    means = SEPA_CREDIT_TRANSFER if doc.currency == "EUR" else CREDIT_TRANSFER
    return Payment(means, payment_reference(doc), doc.seller.iban, doc.seller.bic,
                   doc.seller.legal_name)  # fmt: skip


def _terms_text(doc: Presentable) -> str:
    term = doc.payment_term or "Payable"
    return f"{term}; due {doc.due_date.isoformat()}; quote {payment_reference(doc)}."
