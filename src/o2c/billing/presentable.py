"""A posted invoice or credit note with everything needed to present it, as pure values.

`presentment` loads one `Presentable` from storage; `einvoicing` turns it into EN 16931 data
(UBL, CII) and `printing` into a PDF. Both read the same snapshot, so the PDF and the XML of
one document can never disagree. Also here: the company's letterhead as a value with its
input rules, and the small code mappings e-invoices need (VAT category, unit of measure).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from o2c.billing.totals import TaxAmount
from o2c.formats.einvoice import VatCategory
from o2c.kernel.errors import FieldError


class DocumentFormat(StrEnum):
    PDF = "pdf"
    UBL = "ubl"
    CII = "cii"
    FACTURX = "facturx"

    @property
    def media_type(self) -> str:
        return (
            "application/xml"
            if self in (DocumentFormat.UBL, DocumentFormat.CII)
            else ("application/pdf")
        )

    @property
    def suffix(self) -> str:
        return {"pdf": ".pdf", "ubl": ".ubl.xml", "cii": ".cii.xml", "facturx": ".pdf"}[self]


@dataclass(frozen=True)
class LetterheadSet:
    """The company as it appears on its invoices. `iban` is where customers pay."""

    legal_name: str
    street: str
    city: str
    country: str
    iban: str
    postal_code: str | None = None
    street2: str | None = None
    vat_id: str | None = None
    registration: str | None = None
    contact_name: str | None = None
    phone: str | None = None
    email: str | None = None
    website: str | None = None
    bic: str | None = None
    bank_name: str | None = None
    endpoint_scheme: str | None = None
    endpoint_id: str | None = None
    logo_png: bytes | None = None
    footer: str | None = None


_IBAN = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}")
_BIC = re.compile(r"[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?")
_PNG = b"\x89PNG\r\n\x1a\n"


def compact_iban(value: str) -> str:
    return re.sub(r"\s+", "", value).upper()


def iban_is_valid(value: str) -> bool:
    """ISO 13616: the country code and check digits moved to the end, mod 97 must be 1."""
    iban = compact_iban(value)
    if not _IBAN.fullmatch(iban):
        return False
    return int("".join(str(int(ch, 36)) for ch in iban[4:] + iban[:4])) % 97 == 1


def letterhead_problems(cmd: LetterheadSet) -> list[FieldError]:
    """Every input problem at once: required fields, IBAN and BIC, VAT id prefix, PNG logo."""
    errors: list[FieldError] = []
    for name in ("legal_name", "street", "city"):
        if not str(getattr(cmd, name)).strip():
            errors.append(FieldError(name, "must not be empty"))
    if not re.fullmatch(r"[A-Z]{2}", cmd.country):
        errors.append(FieldError("country", "must be an ISO 3166 alpha-2 code such as DE"))
    if not iban_is_valid(cmd.iban):
        errors.append(FieldError("iban", "not a valid IBAN (check digits or format)"))
    if cmd.bic is not None and not _BIC.fullmatch(cmd.bic):
        errors.append(FieldError("bic", "must be 8 or 11 letters and digits"))
    if cmd.vat_id is not None and not re.fullmatch(r"[A-Z]{2}[0-9A-Z+*.]{2,13}", cmd.vat_id):
        errors.append(FieldError("vat_id", "must start with its country prefix (DE123456789)"))
    if (cmd.endpoint_scheme is None) != (cmd.endpoint_id is None):
        errors.append(FieldError("endpoint_id", "the electronic address needs scheme and id"))
    if cmd.logo_png is not None and not cmd.logo_png.startswith(_PNG):
        errors.append(FieldError("logo_png", "the logo must be a PNG image"))
    return errors


# Peppol electronic address schemes (EAS) that are a VAT number, by country: the address a
# party has without registering anything beyond its VAT id.
VAT_SCHEMES = {
    "AT": "9914", "BE": "9925", "DE": "9930", "ES": "9920", "FR": "9957", "GB": "9932",
    "IE": "9935", "IT": "0211", "NL": "9944", "LU": "9938", "PT": "9946", "SE": "9955",
    "DK": "0184", "PL": "9945", "CZ": "9929", "FI": "0213", "GR": "9933",
}  # fmt: skip

# UN/ECE Recommendation 20 (and 21, "X" prefixed) codes for o2c's product units.
UNIT_CODES = {
    "pc": "H87", "pcs": "H87", "piece": "H87", "pack": "XPK", "box": "XBX", "h": "HUR",
    "hour": "HUR", "day": "DAY", "month": "MON", "kg": "KGM", "g": "GRM", "t": "TNE",
    "m": "MTR", "m2": "MTK", "m3": "MTQ", "l": "LTR", "seat": "C62", "set": "SET",
}  # fmt: skip
ONE = "C62"


def unit_code(unit: str | None) -> str:
    """The Rec. 20 code of a product unit; "C62" (one) for a unit we cannot name."""
    return UNIT_CODES.get((unit or "").strip().lower(), ONE)


def vat_category(category: str, percent: Decimal, exemption_reason: str | None) -> VatCategory:
    """EN 16931's VAT category for one of the company's tax categories.

    o2c names categories freely ("standard", "reduced", "exempt"); the code follows from the
    rate and the reason: a positive rate is standard-rated, a zero rate with a legal reason is
    an exemption unless its name says reverse charge, intra-community, export or out of scope,
    and a zero rate without reason is zero-rated.
    """
    if percent > 0:
        return VatCategory.STANDARD
    name = category.lower()
    if "reverse" in name:
        return VatCategory.REVERSE_CHARGE
    if "intra" in name:
        return VatCategory.INTRA_COMMUNITY
    if "export" in name:
        return VatCategory.EXPORT
    if "outside" in name or "not_subject" in name:
        return VatCategory.NOT_SUBJECT
    return VatCategory.EXEMPT if exemption_reason else VatCategory.ZERO


@dataclass(frozen=True)
class Company:
    """The seller: its letterhead, its base currency (the VAT accounting currency)."""

    name: str
    base_currency: str
    legal_name: str
    street: tuple[str, ...]
    postal_code: str | None
    city: str
    country: str
    vat_id: str | None
    registration: str | None
    contact_name: str | None
    phone: str | None
    email: str | None
    website: str | None
    iban: str
    bic: str | None
    bank_name: str | None
    endpoint: tuple[str, str] | None
    logo_png: bytes | None
    footer: str | None
    code: str = ""


@dataclass(frozen=True)
class Buyer:
    code: str
    name: str
    language: str
    street: tuple[str, ...]
    postal_code: str | None
    city: str
    region: str | None
    country: str
    vat_id: str | None
    email: str | None
    endpoint: tuple[str, str] | None


@dataclass(frozen=True)
class PresentedLine:
    position: int
    description: str
    sku: str | None
    unit: str | None
    quantity: Decimal
    unit_price_minor: int
    discount_percent: Decimal
    net_minor: int
    tax_category: str
    tax_percent: Decimal


@dataclass(frozen=True)
class Presentable:
    """One posted document as the customer receives it. Amounts are positive minor units."""

    number: str
    credit_note: bool
    issue_date: date
    due_date: date
    currency: str
    rate: Decimal  # base-currency units per unit of `currency`
    seller: Company
    buyer: Buyer
    lines: tuple[PresentedLine, ...]
    taxes: tuple[TaxAmount, ...]
    net_minor: int
    tax_minor: int
    total_minor: int
    discount_minor: int
    discount_reason: str | None
    charge_minor: int
    charge_reason: str | None
    po_number: str | None
    notes: str | None
    payment_term: str | None
    credited: tuple[str, date] | None  # the invoice a credit note credits: number, issue date

    @property
    def lines_minor(self) -> int:
        return sum(line.net_minor for line in self.lines)
