"""An invoice or credit note in the words of EN 16931, the data both e-invoice syntaxes carry.

`ubl.py` (Peppol BIS Billing 3.0) and `cii.py` (Factur-X / ZUGFeRD EN 16931 profile) write the
same `EInvoice`; billing fills it from a posted document. Amounts are integer minor units of
the invoice currency and positive on credit notes too (the document type says which way they
go), exactly as EN 16931 wants them; the writers print them at the currency's exponent. The
figures are taken as given, never recomputed here: the invoice the customer receives must say
what the ledger booked, and the official rules check that the figures add up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from o2c.kernel.currency import minor_units

# EN 16931 identifiers of the specifications the documents claim to follow (BT-23, BT-24).
PEPPOL_CUSTOMIZATION = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PEPPOL_PROFILE = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
EN16931_GUIDELINE = "urn:cen.eu:en16931:2017"


class DocumentType(StrEnum):
    """UNTDID 1001 codes: 380 commercial invoice, 381 credit note."""

    INVOICE = "380"
    CREDIT_NOTE = "381"


class VatCategory(StrEnum):
    """UNTDID 5305 VAT category codes as EN 16931 restricts them."""

    STANDARD = "S"
    ZERO = "Z"
    EXEMPT = "E"
    REVERSE_CHARGE = "AE"
    INTRA_COMMUNITY = "K"
    EXPORT = "G"
    NOT_SUBJECT = "O"

    @property
    def needs_reason(self) -> bool:
        """Exempt, reverse-charge, intra-community, export and out-of-scope need a reason."""
        return self not in (VatCategory.STANDARD, VatCategory.ZERO)


@dataclass(frozen=True)
class Address:
    lines: tuple[str, ...]
    city: str
    postal_code: str | None
    country: str  # ISO 3166-1 alpha-2
    region: str | None = None


@dataclass(frozen=True)
class Endpoint:
    """An electronic address (BT-34/BT-49): a Peppol EAS scheme and the id under it."""

    scheme: str
    value: str


@dataclass(frozen=True)
class Party:
    name: str
    address: Address
    vat_id: str | None = None
    legal_id: str | None = None
    endpoint: Endpoint | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    contact_email: str | None = None


@dataclass(frozen=True)
class Tax:
    """A VAT category and rate, the key of the tax breakdown (BG-23)."""

    category: VatCategory
    percent: Decimal


@dataclass(frozen=True)
class Line:
    """An invoice line (BG-25). `net_minor` = quantity × price − `allowance_minor`, rounded."""

    line_id: str
    name: str
    quantity: Decimal
    unit_code: str  # UN/ECE Recommendation 20
    price: Decimal  # net unit price (BT-146), in currency units
    allowance_minor: int
    net_minor: int
    tax: Tax
    seller_item_id: str | None = None
    allowance_reason: str = "Discount"


@dataclass(frozen=True)
class AllowanceCharge:
    """A document-level allowance or charge (BG-20, BG-21) for one VAT category and rate."""

    charge: bool
    amount_minor: int
    reason: str
    tax: Tax


@dataclass(frozen=True)
class TaxSubtotal:
    tax: Tax
    taxable_minor: int
    tax_minor: int
    exemption_reason: str | None = None


@dataclass(frozen=True)
class Payment:
    """How to pay (BG-16): UNTDID 4461 `means_code` (58 SEPA credit transfer to `iban`,
    97 clearing between partners for a credit note set off against open invoices),
    quoting `reference` (BT-83)."""

    means_code: str
    reference: str
    iban: str | None = None
    bic: str | None = None
    account_name: str | None = None


@dataclass(frozen=True)
class Totals:
    """The document totals (BG-22), in minor units of the invoice currency."""

    lines_minor: int
    allowances_minor: int
    charges_minor: int
    tax_exclusive_minor: int
    tax_minor: int
    tax_inclusive_minor: int
    prepaid_minor: int
    payable_minor: int


@dataclass(frozen=True)
class PrecedingInvoice:
    number: str
    issue_date: date


@dataclass(frozen=True)
class EInvoice:
    """One document, ready for either syntax."""

    number: str
    document_type: DocumentType
    issue_date: date
    currency: str
    seller: Party
    buyer: Party
    lines: Sequence[Line]
    taxes: Sequence[TaxSubtotal]
    totals: Totals
    due_date: date | None = None
    buyer_reference: str | None = None
    order_reference: str | None = None
    preceding: PrecedingInvoice | None = None
    notes: Sequence[str] = field(default_factory=tuple)
    payment: Payment | None = None
    payment_terms: str | None = None
    allowances_charges: Sequence[AllowanceCharge] = field(default_factory=tuple)
    # VAT in the seller's accounting currency (BT-6, BT-111), when it is not the invoice's.
    tax_currency: str | None = None
    tax_in_tax_currency_minor: int | None = None

    @property
    def is_credit_note(self) -> bool:
        return self.document_type is DocumentType.CREDIT_NOTE


class EInvoiceRefused(ValueError):
    """The document cannot be written as a valid e-invoice; `problems` says why."""

    def __init__(self, found: list[str]) -> None:
        super().__init__("; ".join(found))
        self.problems = found


def amount_text(minor: int, currency: str) -> str:
    """Minor units as the decimal text EN 16931 expects: "1234.50", "-3.00", "1500" (JPY)."""
    return str(Decimal(minor).scaleb(-minor_units(currency)))


def decimal_text(value: Decimal) -> str:
    """A quantity, price or percent without exponent or trailing zeros: "19", "7.5", "0.125"."""
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    return format(value.normalize(), "f")


def date_text(day: date) -> str:
    return day.isoformat()


def problems(invoice: EInvoice) -> list[str]:
    """What a writer cannot express faithfully; empty when the document can be written.

    The writers refuse rather than emit a document the receiver's validator would reject
    for a reason the seller can fix (a missing reason for an exemption, a total that does
    not add up), so a wrong invoice is caught before it leaves.
    """
    found: list[str] = []
    if not invoice.lines:
        found.append("the document has no lines")
    for subtotal in invoice.taxes:
        if subtotal.tax.category.needs_reason and not subtotal.exemption_reason:
            found.append(f"VAT category {subtotal.tax.category.value} needs an exemption reason")
    lines = sum(line.net_minor for line in invoice.lines)
    t = invoice.totals
    if lines != t.lines_minor:
        found.append(f"line nets add up to {lines}, not {t.lines_minor}")
    if t.lines_minor - t.allowances_minor + t.charges_minor != t.tax_exclusive_minor:
        found.append("lines − allowances + charges is not the tax-exclusive total")
    if sum(s.tax_minor for s in invoice.taxes) != t.tax_minor:
        found.append("the VAT breakdown does not add up to the VAT total")
    if t.tax_exclusive_minor + t.tax_minor != t.tax_inclusive_minor:
        found.append("tax-exclusive total + VAT is not the tax-inclusive total")
    if t.tax_inclusive_minor - t.prepaid_minor != t.payable_minor:
        found.append("tax-inclusive total − prepaid is not the amount payable")
    if (invoice.tax_currency is None) != (invoice.tax_in_tax_currency_minor is None):
        found.append("a VAT accounting currency needs the VAT total in it, and vice versa")
    return found
