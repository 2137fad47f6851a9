"""ANSI X12 820 (Payment Order / Remittance Advice), 4010 and later, into `Remittance`s.

Segments, delimiters and the envelope checks (counts, control numbers) are `formats.x12`'s;
this module reads what is inside each 820 set. A transaction set other than 820 is refused.
`FileError.line` is the segment's position in the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from o2c.formats.encoding import decode_text
from o2c.formats.problems import Problems
from o2c.formats.remittance import Adjustment, Remittance, RemittanceItem
from o2c.formats.x12 import (
    Envelope,
    EnvelopeReader,
    Segment,
    element_date,
    element_decimal,
    read_segments,
)


@dataclass
class _Item:
    ref_type: str
    invoice_ref: str
    paid: Decimal
    invoice_amount: Decimal | None = None
    discount: Decimal | None = None
    adjustments: list[Adjustment] = field(default_factory=list)
    references: list[tuple[str, str]] = field(default_factory=list)

    def freeze(self) -> RemittanceItem:
        note = " ".join(v for k, v in self.references if k in {"D0", "UQ", "ZZ", "AFA"})
        return RemittanceItem(
            invoice_ref=self.invoice_ref,
            paid=self.paid,
            invoice_amount=self.invoice_amount,
            discount=self.discount,
            adjustments=tuple(self.adjustments),
            ref_type=self.ref_type,
            references=tuple(self.references),
            note=note,
        )


class _Transaction:
    """Collects one ST..SE transaction set into a `Remittance`."""

    def __init__(self, start: Segment, problems: Problems, result: list[Remittance]) -> None:
        self.start = start
        self.problems = problems
        self.result = result
        self.amount: Decimal | None = None
        self.payment_date: date | None = None
        self.trace = ""
        self.currency: str | None = None
        self.parties: dict[str, str] = {}
        self.items: list[_Item] = []
        self.current: _Item | None = None
        self.entity_has_rmr = False

    def add(self, segment: Segment) -> None:
        handler = getattr(self, f"_{segment.tag.lower()}", None)
        if handler is not None:
            handler(segment)

    def _bpr(self, segment: Segment) -> None:
        self.amount = element_decimal(segment, 1, self.problems, required=True, noun="amount")
        self.payment_date = element_date(segment, 15, self.problems)

    def _trn(self, segment: Segment) -> None:
        self.trace = segment.get(1)

    def _cur(self, segment: Segment) -> None:
        self.currency = segment.get(1) or None

    def _n1(self, segment: Segment) -> None:
        self.parties.setdefault(segment.get(0), segment.get(1))

    def _ent(self, segment: Segment) -> None:
        self.current, self.entity_has_rmr = None, False

    def _rmr(self, segment: Segment) -> None:
        paid = element_decimal(segment, 3, self.problems, required=True, noun="amount")
        self.current = _Item(
            ref_type=segment.get(0),
            invoice_ref=segment.get(1),
            paid=paid if paid is not None else Decimal(0),
            invoice_amount=element_decimal(
                segment, 4, self.problems, required=False, noun="amount"
            ),
            discount=element_decimal(segment, 5, self.problems, required=False, noun="amount"),
        )
        self.items.append(self.current)
        self.entity_has_rmr = True

    def _adx(self, segment: Segment) -> None:
        amount = element_decimal(segment, 0, self.problems, required=True, noun="amount")
        adjustment = Adjustment(amount, segment.get(1), segment.get(3))
        if self.current is not None and self.entity_has_rmr:
            self.current.adjustments.append(adjustment)
            return
        self.current = _Item(segment.get(2), segment.get(3), amount or Decimal(0))
        self.current.adjustments.append(adjustment)
        self.items.append(self.current)

    def _ref(self, segment: Segment) -> None:
        if self.current is not None:
            value = " ".join(v for v in (segment.get(1), segment.get(2)) if v)
            self.current.references.append((segment.get(0), value))

    def _dtm(self, segment: Segment) -> None:
        if self.payment_date is None and segment.get(0) in {"097", "007", "009"}:
            self.payment_date = element_date(segment, 1, self.problems)

    def finish(self) -> None:
        remittance = self.remittance()
        if remittance is not None:
            self.result.append(remittance)

    def remittance(self) -> Remittance | None:
        if self.amount is None:
            if not any(p.field.startswith("BPR") for p in self.problems.items):
                self.problems.add(self.start.number, "BPR", "transaction set without a BPR payment")
            return None
        return Remittance(
            payer=self.parties.get("PR")
            or next((name for role, name in self.parties.items() if role != "PE"), ""),
            trace=self.trace,
            payment_amount=self.amount,
            payment_date=self.payment_date,
            currency=self.currency or "USD",
            items=tuple(item.freeze() for item in self.items),
            payee=self.parties.get("PE", ""),
            source="x12-820",
        )


def parse_x12_820(data: bytes, path: str = "") -> list[Remittance]:
    """Parse an X12 interchange of 820 transaction sets into one `Remittance` per set."""
    problems = Problems(path)
    _, segments = read_segments(decode_text(data), problems)
    result: list[Remittance] = []

    def start(envelope: Envelope, st: Segment) -> _Transaction:
        return _Transaction(st, problems, result)

    EnvelopeReader(problems, {"820"}, "an 820 remittance advice", start).read(segments)
    problems.raise_if_any()
    return result
