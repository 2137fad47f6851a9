"""ANSI X12 820 (Payment Order / Remittance Advice), 4010 and later, into `Remittance`s.

Delimiters come from the ISA segment itself (element separator at position 3, component
separator and segment terminator right after ISA16), so `~`, `\\`, `|` and newline-terminated
files all read. Leniency, decided on purpose: a byte-order mark, indentation, CR/LF after the
terminator and spaces around elements are ignored (trading partners pretty-print files), and
control numbers are compared as numbers when both are digits, so SE02 `0000000001 ` matches
ST02 `000000001`. Counts (SE01, GE01, IEA01) and control numbers must agree; a transaction
set other than 820 is refused. `FileError.line` is the segment's position in the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from o2c.formats.encoding import decode_text
from o2c.formats.problems import Problems
from o2c.formats.remittance import Adjustment, Remittance, RemittanceItem

_AMOUNT = re.compile(r"-?(\d+(\.\d*)?|\.\d+)")


@dataclass
class _Segment:
    number: int
    tag: str
    elements: list[str]

    def get(self, index: int) -> str:
        return self.elements[index] if index < len(self.elements) else ""


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


def _segments(text: str, problems: Problems) -> list[_Segment]:
    text = text.lstrip()
    if not text.startswith("ISA") or len(text) < 106:
        problems.refuse(1, "ISA", "an X12 interchange starts with a complete ISA segment")
    separator = text[3]
    positions = [i for i, ch in enumerate(text[:200]) if ch == separator]
    if len(positions) < 16:
        problems.refuse(1, "ISA", "ISA segment has fewer than 16 elements")
    terminator = text[positions[15] + 2]
    pieces = text.splitlines() if terminator.isspace() else text.split(terminator)
    segments: list[_Segment] = []
    for raw in pieces:
        cleaned = raw.strip()
        if cleaned:
            parts = [p.strip() for p in cleaned.split(separator)]
            segments.append(_Segment(len(segments) + 1, parts[0].upper(), parts[1:]))
    return segments


def _amount(segment: _Segment, index: int, problems: Problems, required: bool) -> Decimal | None:
    raw = segment.get(index)
    if not raw:
        if required:
            problems.add(segment.number, f"{segment.tag}{index + 1:02d}", "amount missing")
        return None
    if not _AMOUNT.fullmatch(raw):
        problems.add(segment.number, f"{segment.tag}{index + 1:02d}", f"not an amount: {raw!r}")
        return None
    return Decimal(raw)


def _date(segment: _Segment, index: int, problems: Problems) -> date | None:
    raw = segment.get(index)
    if not raw:
        return None
    try:
        if len(raw) == 6:
            raw = "20" + raw
        return date(int(raw[:4]), int(raw[4:6]), int(raw[6:8]))
    except ValueError:
        problems.add(
            segment.number, f"{segment.tag}{index + 1:02d}", f"not a CCYYMMDD date: {raw!r}"
        )
        return None


def same_control(a: str, b: str) -> bool:
    """Control numbers agree as numbers when both are digits, else as trimmed text."""
    a, b = a.strip(), b.strip()
    return int(a) == int(b) if a.isdigit() and b.isdigit() else a == b


class _Transaction:
    """Collects one ST..SE transaction set into a `Remittance`."""

    def __init__(self, start: _Segment, problems: Problems) -> None:
        self.start = start
        self.problems = problems
        self.amount: Decimal | None = None
        self.payment_date: date | None = None
        self.trace = ""
        self.currency: str | None = None
        self.parties: dict[str, str] = {}
        self.items: list[_Item] = []
        self.current: _Item | None = None
        self.entity_has_rmr = False

    def add(self, segment: _Segment) -> None:
        handler = getattr(self, f"_{segment.tag.lower()}", None)
        if handler is not None:
            handler(segment)

    def _bpr(self, segment: _Segment) -> None:
        self.amount = _amount(segment, 1, self.problems, required=True)
        self.payment_date = _date(segment, 15, self.problems)

    def _trn(self, segment: _Segment) -> None:
        self.trace = segment.get(1)

    def _cur(self, segment: _Segment) -> None:
        self.currency = segment.get(1) or None

    def _n1(self, segment: _Segment) -> None:
        self.parties.setdefault(segment.get(0), segment.get(1))

    def _ent(self, segment: _Segment) -> None:
        self.current, self.entity_has_rmr = None, False

    def _rmr(self, segment: _Segment) -> None:
        paid = _amount(segment, 3, self.problems, required=True)
        self.current = _Item(
            ref_type=segment.get(0),
            invoice_ref=segment.get(1),
            paid=paid if paid is not None else Decimal(0),
            invoice_amount=_amount(segment, 4, self.problems, required=False),
            discount=_amount(segment, 5, self.problems, required=False),
        )
        self.items.append(self.current)
        self.entity_has_rmr = True

    def _adx(self, segment: _Segment) -> None:
        amount = _amount(segment, 0, self.problems, required=True)
        adjustment = Adjustment(amount, segment.get(1), segment.get(3))
        if self.current is not None and self.entity_has_rmr:
            self.current.adjustments.append(adjustment)
            return
        self.current = _Item(segment.get(2), segment.get(3), amount or Decimal(0))
        self.current.adjustments.append(adjustment)
        self.items.append(self.current)

    def _ref(self, segment: _Segment) -> None:
        if self.current is not None:
            value = " ".join(v for v in (segment.get(1), segment.get(2)) if v)
            self.current.references.append((segment.get(0), value))

    def _dtm(self, segment: _Segment) -> None:
        if self.payment_date is None and segment.get(0) in {"097", "007", "009"}:
            self.payment_date = _date(segment, 1, self.problems)

    def remittance(self) -> Remittance | None:
        if self.start.get(0) != "820":
            return None
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


class _Envelope:
    """Checks ISA/GS/ST nesting, counts and control numbers while feeding 820 sets."""

    def __init__(self, problems: Problems) -> None:
        self.problems = problems
        self.isa: _Segment | None = None
        self.gs: _Segment | None = None
        self.groups = 0
        self.sets_in_group = 0
        self.tx: _Transaction | None = None
        self.tx_segments = 0
        self.result: list[Remittance] = []

    def feed(self, segment: _Segment) -> None:
        if self.tx is not None:
            self.tx_segments += 1
        tag = segment.tag
        if tag == "ISA":
            self.isa = segment
        elif tag == "GS":
            self.gs, self.sets_in_group = segment, 0
            self.groups += 1
        elif tag == "ST":
            self._start(segment)
        elif tag == "SE":
            self._end(segment)
        elif tag == "GE":
            self._close(segment, self.gs, 5, self.sets_in_group, "GE")
            self.gs = None
        elif tag == "IEA":
            self._close(segment, self.isa, 12, self.groups, "IEA")
            self.isa = None
        elif self.tx is not None:
            self.tx.add(segment)
        else:
            self.problems.add(segment.number, tag, "segment outside a transaction set")

    def _start(self, segment: _Segment) -> None:
        if self.gs is None or self.tx is not None:
            self.problems.add(segment.number, "ST", "ST outside a functional group or inside a set")
        if segment.get(0) != "820":
            self.problems.add(
                segment.number,
                "ST01",
                f"transaction set {segment.get(0)!r} is not an 820 remittance advice",
            )
        self.sets_in_group += 1
        self.tx, self.tx_segments = _Transaction(segment, self.problems), 1

    def _end(self, segment: _Segment) -> None:
        if self.tx is None:
            self.problems.add(segment.number, "SE", "SE without ST")
            return
        if segment.get(0) != str(self.tx_segments):
            self.problems.add(
                segment.number,
                "SE01",
                f"says {segment.get(0)!r} segments, the set has {self.tx_segments}",
            )
        if not same_control(segment.get(1), self.tx.start.get(1)):
            self.problems.add(
                segment.number,
                "SE02",
                f"{segment.get(1)!r} differs from ST02 {self.tx.start.get(1)!r}",
            )
        remittance = self.tx.remittance()
        if remittance is not None:
            self.result.append(remittance)
        self.tx = None

    def _close(
        self, segment: _Segment, opener: _Segment | None, index: int, count: int, tag: str
    ) -> None:
        if opener is None:
            self.problems.add(segment.number, tag, f"{tag} without its opening segment")
            return
        if segment.get(0) != str(count):
            self.problems.add(
                segment.number, f"{tag}01", f"says {segment.get(0)!r}, counted {count}"
            )
        if not same_control(segment.get(1), opener.get(index)):
            self.problems.add(
                segment.number,
                f"{tag}02",
                f"{segment.get(1)!r} differs from {opener.tag} control {opener.get(index)!r}",
            )


def parse_x12_820(data: bytes, path: str = "") -> list[Remittance]:
    """Parse an X12 interchange of 820 transaction sets into one `Remittance` per set."""
    problems = Problems(path)
    segments = _segments(decode_text(data), problems)
    envelope = _Envelope(problems)
    for segment in segments:
        envelope.feed(segment)
    last = segments[-1].number if segments else 1
    if envelope.tx is not None:
        problems.add(last, "SE", "transaction set not closed by SE")
    if envelope.gs is not None or envelope.isa is not None:
        problems.add(last, "IEA", "interchange not closed (GE/IEA missing)")
    problems.raise_if_any()
    return envelope.result
