"""EDI partners and messages as pure values: the partner command, units, control numbers."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from o2c.formats.x12 import MAX_CONTROL, Delimiters
from o2c.kernel.errors import FieldError

# o2c units to X12 unit-of-measure codes (data element 355); anything else is sent upper-cased.
X12_UNITS = {"pc": "EA", "pcs": "EA", "ea": "EA", "h": "HR", "hr": "HR", "kg": "KG", "m": "MR"}
# and back, for 850 lines: X12 codes o2c treats as its own piece unit
PIECE_UNITS = {"EA", "PC", "UN"}
# o2c units to UN/ECE Recommendation 20 codes (UBL unitCode, CII unitCode)
UNECE_UNITS = {
    "pc": "C62", "pcs": "C62", "ea": "C62", "h": "HUR", "hr": "HUR", "kg": "KGM", "g": "GRM",
    "m": "MTR", "m2": "MTK", "m3": "MTQ", "l": "LTR", "ltr": "LTR", "day": "DAY", "month": "MON",
}  # fmt: skip
# UN/ECE codes that mean "one of whatever the product is sold by": one, piece, each, article
UNECE_PIECES = {"C62", "H87", "EA", "NAR", "PCE"}


@dataclass(frozen=True)
class PartnerCreate:
    """A customer's EDI addresses: theirs (as in ISA05/06 of what they send) and ours."""

    customer_id: int
    isa_qualifier: str
    isa_id: str
    our_qualifier: str
    our_id: str
    gs_id: str | None = None
    our_gs_id: str | None = None
    delimiters: Delimiters = field(default_factory=Delimiters)
    usage: str = "P"


@dataclass(frozen=True)
class ImportedOrder:
    set_control: str
    po_number: str
    order_id: int
    order_number: str


@dataclass(frozen=True)
class ImportResult:
    """What one 850 interchange created, and the 997 acknowledging it."""

    interchange_id: int
    orders: tuple[ImportedOrder, ...]
    acknowledgement: bytes
    duplicate: bool = False


@dataclass(frozen=True)
class ExportResult:
    interchange_id: int
    control_number: int
    content: bytes


@dataclass(frozen=True)
class DocumentImport:
    """The draft order one e-document opened, and the document's own total beside ours."""

    document_row_id: int
    syntax: str
    document_id: str
    customer_id: int
    order_id: int
    order_number: str
    currency: str
    order_net: Decimal
    document_total: Decimal | None
    """The document's sum of line nets; differing from `order_net` asks for a look."""
    duplicate: bool = False

    @property
    def totals_differ(self) -> bool:
        return self.document_total is not None and self.document_total != self.order_net


@dataclass(frozen=True)
class ReceivedOrder:
    reference: str
    """The buyer's order number (BEG03, or the e-document's id)."""
    order_id: int
    order_number: str


@dataclass(frozen=True)
class Received:
    """What one inbound file opened, whatever its syntax: X12 850 or a UBL/CII document."""

    format: str
    """x12-850, ubl-order, ubl-invoice, cii-order or cii-invoice."""
    orders: tuple[ReceivedOrder, ...]
    duplicate: bool
    acknowledgement: bytes | None
    """The 997 of an X12 interchange; e-documents are not acknowledged in-band."""
    totals_differ: bool = False


def unece_unit(unit: str) -> str:
    return UNECE_UNITS.get(unit.lower(), unit.upper())


def unit_accepted(unit_code: str | None, product_unit: str) -> bool:
    """A line's unit fits the product: none sent, a piece, or the product's own unit."""
    if unit_code is None:
        return True
    code = unit_code.upper()
    return code in UNECE_PIECES or code == unece_unit(product_unit)


def x12_unit(unit: str) -> str:
    return X12_UNITS.get(unit.lower(), unit.upper()[:2] or "EA")


def next_control(last: int, count: int = 1) -> list[int]:
    """The next `count` control numbers after `last`, wrapping from 999999999 back to 1."""
    return [(last + i - 1) % MAX_CONTROL + 1 for i in range(1, count + 1)]


def partner_problems(cmd: PartnerCreate) -> list[FieldError]:
    errors = []
    for name in ("isa_qualifier", "our_qualifier"):
        value = getattr(cmd, name)
        if not (1 <= len(value) <= 2 and value.isalnum()):
            errors.append(FieldError(name, "an ISA qualifier is 1-2 letters or digits"))
    for name in ("isa_id", "our_id", "gs_id", "our_gs_id"):
        value = getattr(cmd, name)
        if value is not None and not (1 <= len(value.strip()) <= 15):
            errors.append(FieldError(name, "an interchange id has 1 to 15 characters"))
    errors += [FieldError("delimiters", p) for p in cmd.delimiters.problems()]
    if cmd.usage not in {"P", "T"}:
        errors.append(FieldError("usage", "P (production) or T (test)"))
    return errors
