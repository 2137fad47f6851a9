"""ANSI X12 850 (Purchase Order), 4010 and later, into `PurchaseOrder`s.

What o2c needs to open a sales order: the buyer's PO number and date (BEG), currency (CUR),
the parties (N1 with their N3/N4 address), and per PO1 line the quantity, unit, unit price and
every product id the buyer sent (VP vendor part, BP buyer part, UP/EN/UK GTINs, MG ...), with
the PID description. The CTT line count must agree with the PO1 lines, as the standard says;
the AMT*TT total, when sent, is kept for the caller to compare with its own pricing. Each set
keeps its envelope's control numbers, which the 997 acknowledgement echoes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from o2c.formats.encoding import decode_text
from o2c.formats.problems import Problems
from o2c.formats.x12 import (
    Envelope,
    EnvelopeReader,
    Segment,
    element_date,
    element_decimal,
    read_segments,
)


@dataclass(frozen=True)
class PartyInfo:
    """An N1 loop: role (BY buyer, ST ship-to, BT bill-to ...), name, id and address."""

    role: str
    name: str
    id_qualifier: str = ""
    id: str = ""
    address: tuple[str, ...] = ()
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""


@dataclass(frozen=True)
class OrderLine:
    line_id: str
    quantity: Decimal
    unit: str
    unit_price: Decimal | None
    product_ids: tuple[tuple[str, str], ...]
    """(qualifier, id) pairs from PO106 onward, in the buyer's order."""
    description: str
    segment: int
    """The PO1 segment's position in the file, for error reports."""

    def product_id(self, *qualifiers: str) -> str | None:
        """The first id sent under any of `qualifiers`, in the order asked."""
        for wanted in qualifiers:
            for qualifier, value in self.product_ids:
                if qualifier == wanted and value:
                    return value
        return None


@dataclass(frozen=True)
class PurchaseOrder:
    sender: tuple[str, str]
    receiver: tuple[str, str]
    interchange_control: str
    group_control: str
    group_functional_id: str
    set_control: str
    purpose: str
    """BEG01: 00 original, 05 replace, 01 cancellation ..."""
    order_type: str
    po_number: str
    po_date: date | None
    currency: str | None
    parties: tuple[PartyInfo, ...]
    lines: tuple[OrderLine, ...]
    total: Decimal | None
    """AMT*TT, the buyer's own total, when sent."""

    def party(self, role: str) -> PartyInfo | None:
        return next((p for p in self.parties if p.role == role), None)


@dataclass
class _Party:
    role: str
    name: str
    id_qualifier: str
    id: str
    address: list[str] = field(default_factory=list)
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""

    def freeze(self) -> PartyInfo:
        return PartyInfo(
            self.role,
            self.name,
            self.id_qualifier,
            self.id,
            tuple(self.address),
            self.city,
            self.region,
            self.postal_code,
            self.country,
        )


@dataclass
class _Line:
    start: Segment
    quantity: Decimal
    unit_price: Decimal | None
    description: list[str] = field(default_factory=list)

    def freeze(self) -> OrderLine:
        elements = self.start.elements[5:]
        ids = tuple((elements[i], elements[i + 1]) for i in range(0, len(elements) - 1, 2))
        return OrderLine(
            self.start.get(0),
            self.quantity,
            self.start.get(2),
            self.unit_price,
            tuple((q, v) for q, v in ids if q),
            " ".join(self.description),
            self.start.number,
        )


class _Order:
    """Collects one 850 set; unknown segments (PER, DTM, REF, N9/MSG ...) are passed over."""

    def __init__(
        self, envelope: Envelope, st: Segment, problems: Problems, result: list[PurchaseOrder]
    ) -> None:
        self.envelope, self.st, self.problems, self.result = envelope, st, problems, result
        self.beg: Segment | None = None
        self.currency: str | None = None
        self.parties: list[_Party] = []
        self.lines: list[_Line] = []
        self.ctt: Segment | None = None
        self.total: Decimal | None = None

    def add(self, segment: Segment) -> None:
        handler = getattr(self, f"_{segment.tag.lower()}", None)
        if handler is not None:
            handler(segment)

    def _beg(self, segment: Segment) -> None:
        self.beg = segment

    def _cur(self, segment: Segment) -> None:
        if not self.lines:
            self.currency = segment.get(1) or None

    def _n1(self, segment: Segment) -> None:
        self.parties.append(_Party(segment.get(0), segment.get(1), segment.get(2), segment.get(3)))

    def _n3(self, segment: Segment) -> None:
        if self.parties:
            self.parties[-1].address.extend(e for e in segment.elements[:2] if e)

    def _n4(self, segment: Segment) -> None:
        if self.parties:
            party = self.parties[-1]
            party.city, party.region = segment.get(0), segment.get(1)
            party.postal_code, party.country = segment.get(2), segment.get(3)

    def _po1(self, segment: Segment) -> None:
        quantity = element_decimal(segment, 1, self.problems, required=True)
        if quantity is not None and quantity <= 0:
            self.problems.add(segment.number, "PO102", "quantity must be positive")
        price = element_decimal(segment, 3, self.problems, required=False)
        self.lines.append(_Line(segment, quantity or Decimal(0), price))

    def _pid(self, segment: Segment) -> None:
        if self.lines and segment.get(4):
            self.lines[-1].description.append(segment.get(4))

    def _ctt(self, segment: Segment) -> None:
        self.ctt = segment

    def _amt(self, segment: Segment) -> None:
        if segment.get(0) == "TT":
            self.total = element_decimal(segment, 1, self.problems, required=True)

    def finish(self) -> None:
        if self.beg is None:
            self.problems.add(self.st.number, "BEG", "purchase order without a BEG segment")
            return
        if not self.beg.get(2):
            self.problems.add(self.beg.number, "BEG03", "purchase order number missing")
        if not self.lines:
            self.problems.add(self.st.number, "PO1", "purchase order without lines")
        if self.ctt is not None and self.ctt.get(0) != str(len(self.lines)):
            self.problems.add(
                self.ctt.number,
                "CTT01",
                f"says {self.ctt.get(0)!r} line items, the order has {len(self.lines)}",
            )
        self.result.append(
            PurchaseOrder(
                sender=self.envelope.sender,
                receiver=self.envelope.receiver,
                interchange_control=self.envelope.interchange_control,
                group_control=self.envelope.group_control,
                group_functional_id=self.envelope.gs.get(0),
                set_control=self.st.get(1),
                purpose=self.beg.get(0),
                order_type=self.beg.get(1),
                po_number=self.beg.get(2),
                po_date=element_date(self.beg, 4, self.problems),
                currency=self.currency,
                parties=tuple(p.freeze() for p in self.parties),
                lines=tuple(line.freeze() for line in self.lines),
                total=self.total,
            )
        )


def parse_x12_850(data: bytes, path: str = "") -> list[PurchaseOrder]:
    """Parse an X12 interchange of 850 sets into one `PurchaseOrder` per set, or refuse it all."""
    problems = Problems(path)
    _, segments = read_segments(decode_text(data), problems)
    result: list[PurchaseOrder] = []

    def start(envelope: Envelope, st: Segment) -> _Order:
        return _Order(envelope, st, problems, result)

    EnvelopeReader(problems, {"850"}, "an 850 purchase order", start).read(segments)
    problems.raise_if_any()
    return result
