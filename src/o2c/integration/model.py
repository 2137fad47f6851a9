"""EDI partners and messages as pure values: the partner command, units, control numbers."""

from __future__ import annotations

from dataclasses import dataclass, field

from o2c.formats.x12 import MAX_CONTROL, Delimiters
from o2c.kernel.errors import FieldError

# o2c units to X12 unit-of-measure codes (data element 355); anything else is sent upper-cased.
X12_UNITS = {"pc": "EA", "pcs": "EA", "ea": "EA", "h": "HR", "hr": "HR", "kg": "KG", "m": "MR"}
# and back, for 850 lines: X12 codes o2c treats as its own piece unit
PIECE_UNITS = {"EA", "PC", "UN"}


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
