"""ANSI X12 interchanges: reading segments and envelopes, and writing them back out.

One reader serves every transaction set (820 remittances, 850 orders): delimiters come from the
ISA segment itself (element separator at position 3, component separator as ISA16 and the
segment terminator right after it), so `~`, `|`, `*` and newline-terminated files all read.
Leniency, decided on purpose: a byte-order mark, indentation, CR/LF after the terminator and
spaces around elements are ignored (trading partners pretty-print files), and control numbers
are compared as numbers when both are digits, so SE02 `0000000001 ` matches ST02 `000000001`.
Counts (SE01, GE01, IEA01) and control numbers must agree. `FileError.line` is the segment's
position in the file.

The writer builds ISA/GS/ST..SE/GE/IEA around segments a document module composes, counting
segments and sets itself, so a written interchange cannot disagree with its own trailers.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from o2c.formats.problems import Problems


@dataclass(frozen=True)
class Delimiters:
    """The four separators of an interchange; each must be a character no data contains."""

    element: str = "*"
    component: str = ">"
    segment: str = "~"
    repetition: str = "^"

    def problems(self) -> list[str]:
        chars = [self.element, self.component, self.segment, self.repetition]
        found = []
        if any(len(c) != 1 or c.isalnum() or c == " " for c in chars):
            found.append("separators are single characters, neither letters, digits nor space")
        if len(set(chars)) != len(chars):
            found.append("separators must differ from each other")
        return found


@dataclass
class Segment:
    number: int
    tag: str
    elements: list[str]

    def get(self, index: int) -> str:
        """Element `index` counted from 0 after the tag (`get(0)` is XX01), or ""."""
        return self.elements[index] if index < len(self.elements) else ""


def read_segments(text: str, problems: Problems) -> tuple[Delimiters, list[Segment]]:
    """Split an interchange into segments, with the delimiters its ISA segment declares."""
    text = text.lstrip()
    if not text.startswith("ISA") or len(text) < 106:
        problems.refuse(1, "ISA", "an X12 interchange starts with a complete ISA segment")
    separator = text[3]
    positions = [i for i, ch in enumerate(text[:200]) if ch == separator]
    if len(positions) < 16:
        problems.refuse(1, "ISA", "ISA segment has fewer than 16 elements")
    component = text[positions[15] + 1]
    terminator = text[positions[15] + 2]
    repetition = text[positions[10] + 1]
    pieces = text.splitlines() if terminator.isspace() else text.split(terminator)
    segments: list[Segment] = []
    for raw in pieces:
        cleaned = raw.strip()
        if cleaned:
            parts = [p.strip() for p in cleaned.split(separator)]
            segments.append(Segment(len(segments) + 1, parts[0].upper(), parts[1:]))
    if repetition.isalnum() or repetition in {separator, component, terminator}:
        repetition = "^"  # ISA11 "U" (4010 and earlier): no repetition separator declared
    return Delimiters(separator, component, terminator, repetition), segments


_DECIMAL = re.compile(r"-?(\d+(\.\d*)?|\.\d+)")


def element_decimal(
    segment: Segment, index: int, problems: Problems, *, required: bool, noun: str = "number"
) -> Decimal | None:
    """Element `index` as an X12 R (decimal) value, or None with a problem noted.

    `noun` names the value in the problem ("amount" in a remittance), so a partner reads
    "amount missing" rather than a data type.
    """
    raw = segment.get(index)
    where = f"{segment.tag}{index + 1:02d}"
    if not raw:
        if required:
            problems.add(segment.number, where, f"{noun} missing")
        return None
    if not _DECIMAL.fullmatch(raw):
        article = "an" if noun[:1] in {"a", "e", "i", "o", "u"} else "a"
        problems.add(segment.number, where, f"not {article} {noun}: {raw!r}")
        return None
    return Decimal(raw)


def element_date(segment: Segment, index: int, problems: Problems) -> date | None:
    """Element `index` as a CCYYMMDD (or YYMMDD, read as 20YY) date; None when empty or bad."""
    raw = segment.get(index)
    if not raw:
        return None
    try:
        if len(raw) == 6:
            raw = "20" + raw
        if len(raw) != 8:
            raise ValueError(raw)
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


@dataclass(frozen=True)
class Envelope:
    """The ISA and GS segments around one transaction set."""

    isa: Segment
    gs: Segment

    @property
    def sender(self) -> tuple[str, str]:
        """(qualifier, id) of the interchange sender, ISA05/ISA06."""
        return self.isa.get(4), self.isa.get(5)

    @property
    def receiver(self) -> tuple[str, str]:
        return self.isa.get(6), self.isa.get(7)

    @property
    def interchange_control(self) -> str:
        return self.isa.get(12)

    @property
    def group_control(self) -> str:
        return self.gs.get(5)


class SetReader(Protocol):
    """Collects the segments of one transaction set between its ST and SE."""

    def add(self, segment: Segment) -> None: ...

    def finish(self) -> None: ...


SetStarter = Callable[[Envelope, Segment], SetReader]


class EnvelopeReader:
    """Checks ISA/GS/ST nesting, counts and control numbers while feeding sets to readers.

    `accepted` names the transaction set codes this reader takes (`{"850"}`); any other is
    reported on ST01 as "not `expected`".
    """

    def __init__(
        self, problems: Problems, accepted: set[str], expected: str, start: SetStarter
    ) -> None:
        self.problems = problems
        self.accepted = accepted
        self.expected = expected
        self.start_set = start
        self.isa: Segment | None = None
        self.gs: Segment | None = None
        self.groups = 0
        self.sets_in_group = 0
        self.st: Segment | None = None
        self.reader: SetReader | None = None
        self.set_segments = 0

    def read(self, segments: Sequence[Segment]) -> None:
        for segment in segments:
            self.feed(segment)
        last = segments[-1].number if segments else 1
        if self.st is not None:
            self.problems.add(last, "SE", "transaction set not closed by SE")
        if self.gs is not None or self.isa is not None:
            self.problems.add(last, "IEA", "interchange not closed (GE/IEA missing)")

    def feed(self, segment: Segment) -> None:
        if self.st is not None:
            self.set_segments += 1
        tag = segment.tag
        if tag == "ISA":
            self.isa, self.groups = segment, 0
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
        elif self.st is not None:
            if self.reader is not None:
                self.reader.add(segment)
        else:
            self.problems.add(segment.number, tag, "segment outside a transaction set")

    def _start(self, segment: Segment) -> None:
        if self.gs is None or self.isa is None or self.st is not None:
            self.problems.add(segment.number, "ST", "ST outside a functional group or inside a set")
        if segment.get(0) not in self.accepted:
            self.problems.add(
                segment.number,
                "ST01",
                f"transaction set {segment.get(0)!r} is not {self.expected}",
            )
        self.sets_in_group += 1
        self.st, self.set_segments = segment, 1
        if segment.get(0) in self.accepted and self.gs is not None and self.isa is not None:
            self.reader = self.start_set(Envelope(self.isa, self.gs), segment)
        else:
            self.reader = None

    def _end(self, segment: Segment) -> None:
        if self.st is None:
            self.problems.add(segment.number, "SE", "SE without ST")
            return
        if segment.get(0) != str(self.set_segments):
            self.problems.add(
                segment.number,
                "SE01",
                f"says {segment.get(0)!r} segments, the set has {self.set_segments}",
            )
        if not same_control(segment.get(1), self.st.get(1)):
            self.problems.add(
                segment.number,
                "SE02",
                f"{segment.get(1)!r} differs from ST02 {self.st.get(1)!r}",
            )
        if self.reader is not None:
            self.reader.finish()
        self.st, self.reader = None, None

    def _close(
        self, segment: Segment, opener: Segment | None, index: int, count: int, tag: str
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


# --- writing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Party:
    """An interchange address: ISA qualifier (01 DUNS, 12 phone, ZZ mutually defined) and id."""

    qualifier: str
    id: str
    application_id: str = ""
    """The GS02/GS03 application code; the interchange id when empty."""

    @property
    def group_id(self) -> str:
        return self.application_id or self.id


@dataclass(frozen=True)
class TransactionSet:
    """One ST..SE set: its code (810), control number, and body segments (tag first)."""

    code: str
    control_number: int
    segments: Sequence[Sequence[str]]


@dataclass(frozen=True)
class Interchange:
    """Everything the envelope of one outgoing interchange needs besides the sets."""

    sender: Party
    receiver: Party
    control_number: int
    group_control_number: int
    functional_id: str
    """GS01: PO (850), IN (810), SH (856), FA (997)."""
    created: datetime
    delimiters: Delimiters = field(default_factory=Delimiters)
    version: str = "00401"
    group_version: str = "004010"
    usage: str = "P"
    """ISA15: P production, T test."""
    ack_requested: bool = False


MAX_CONTROL = 999_999_999


def _clean(value: str, delimiters: Delimiters) -> str:
    """A data element with any delimiter character replaced by a space (it would split it)."""
    for char in (delimiters.element, delimiters.component, delimiters.segment):
        value = value.replace(char, " ")
    value = value.replace(delimiters.repetition, " ").replace("\r", " ").replace("\n", " ")
    return unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")


def _segment(elements: Sequence[str], delimiters: Delimiters) -> str:
    values = [_clean(str(e), delimiters) for e in elements]
    while len(values) > 1 and values[-1] == "":
        values.pop()
    return delimiters.element.join(values) + delimiters.segment


def _isa(interchange: Interchange) -> str:
    d = interchange.delimiters
    sender, receiver, created = interchange.sender, interchange.receiver, interchange.created
    fields = [
        "ISA",
        "00",
        " " * 10,
        "00",
        " " * 10,
        sender.qualifier.ljust(2)[:2],
        sender.id.ljust(15)[:15],
        receiver.qualifier.ljust(2)[:2],
        receiver.id.ljust(15)[:15],
        created.strftime("%y%m%d"),
        created.strftime("%H%M"),
        d.repetition if interchange.version >= "00402" else "U",
        interchange.version,
        f"{interchange.control_number:09d}",
        "1" if interchange.ack_requested else "0",
        interchange.usage,
        d.component,
    ]
    return d.element.join(fields) + d.segment


def write_interchange(interchange: Interchange, sets: Sequence[TransactionSet]) -> bytes:
    """The complete interchange, one segment per line, envelopes counted and numbered.

    Raises ValueError on delimiters that collide, a control number out of range or no set:
    those are programming errors of the caller, never a trading partner's.
    """
    d = interchange.delimiters
    errors = d.problems()
    numbers = [interchange.control_number, interchange.group_control_number]
    numbers += [s.control_number for s in sets]
    if any(not 1 <= n <= MAX_CONTROL for n in numbers):
        errors.append(f"control numbers run from 1 to {MAX_CONTROL}")
    if not sets:
        errors.append("an interchange needs at least one transaction set")
    if errors:
        raise ValueError("; ".join(errors))
    created = interchange.created
    lines = [_isa(interchange)]
    gs = [
        "GS",
        interchange.functional_id,
        interchange.sender.group_id,
        interchange.receiver.group_id,
        created.strftime("%Y%m%d"),
        created.strftime("%H%M"),
        str(interchange.group_control_number),
        "X",
        interchange.group_version,
    ]
    lines.append(_segment(gs, d))
    for transaction in sets:
        control = f"{transaction.control_number:04d}"
        body = [_segment(s, d) for s in transaction.segments]
        lines.append(_segment(["ST", transaction.code, control], d))
        lines.extend(body)
        lines.append(_segment(["SE", str(len(body) + 2), control], d))
    lines.append(_segment(["GE", str(len(sets)), str(interchange.group_control_number)], d))
    lines.append(_segment(["IEA", "1", f"{interchange.control_number:09d}"], d))
    separator = "" if d.segment == "\n" else "\n"
    return separator.join(lines).encode("ascii", errors="replace") + (
        b"" if d.segment == "\n" else b"\n"
    )
