"""Bank and PSP CSV exports, read through a saved column-mapping profile.

Every bank lays its CSV out differently (one signed amount or debit and credit columns, a D/C
column, decimal comma, metadata rows above the header), so the layout is data: a
`ColumnMapping` that an operator defines once per bank and stores as a plain dict. Rows in
several currencies become one statement per currency.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from o2c.formats.encoding import decode_text
from o2c.formats.problems import Problems
from o2c.formats.statement import BankLine, Statement
from o2c.kernel.errors import FieldError, ValidationFailed

Column = str | int | None
_DELIMITERS = ",;\t|"


@dataclass(frozen=True)
class ColumnMapping:
    """Where each field sits in a bank's CSV: a header name or a 0-based column index."""

    date: str | int
    amount: Column = None
    debit: Column = None
    credit: Column = None
    sign: Column = None
    value_date: Column = None
    currency: Column = None
    reference: Column = None
    name: Column = None
    account: Column = None
    text: tuple[str | int, ...] = ()
    date_format: str = "%Y-%m-%d"
    decimal_comma: bool = False
    thousands_separator: str = ""
    encoding: str = ""
    delimiter: str = ""
    has_header: bool = True
    footer_rows: int = 0
    default_currency: str = ""
    statement_account: str = ""
    debit_markers: tuple[str, ...] = ("D", "DR", "DEBIT", "DBIT", "-")

    def __post_init__(self) -> None:
        errors = []
        if self.amount is None and self.debit is None and self.credit is None:
            errors.append(FieldError("amount", "map an amount column or debit/credit columns"))
        if self.sign is not None and self.amount is None:
            errors.append(FieldError("sign", "a sign column needs an amount column"))
        if len(self.delimiter) > 1:
            errors.append(FieldError("delimiter", "one character, or empty to sniff"))
        if errors:
            raise ValidationFailed(errors)

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dict, so a profile can be stored and edited."""
        data = asdict(self)
        data["text"] = list(self.text)
        data["debit_markers"] = list(self.debit_markers)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> ColumnMapping:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValidationFailed([FieldError(k, "not a mapping setting") for k in unknown])
        values = dict(data)
        for key in ("text", "debit_markers"):
            if isinstance(values.get(key), list):
                values[key] = tuple(values[key])  # type: ignore[arg-type]
        try:
            return cls(**values)  # type: ignore[arg-type]
        except TypeError as exc:
            raise ValidationFailed(str(exc)) from None


@dataclass
class _Layout:
    header_line: int
    index: dict[str, int]


def _sniff(text: str, mapping: ColumnMapping) -> str:
    if mapping.delimiter:
        return mapping.delimiter
    sample = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        return max(_DELIMITERS, key=sample.count)


def _mapped(mapping: ColumnMapping) -> dict[str, str | int]:
    names = ("date", "amount", "debit", "credit", "sign", "value_date", "currency")
    found: dict[str, str | int] = {
        n: v
        for n in (*names, "reference", "name", "account")
        if (v := getattr(mapping, n)) is not None
    }
    found.update({f"text{i}": col for i, col in enumerate(mapping.text)})
    return found


def _layout(rows: list[list[str]], mapping: ColumnMapping, problems: Problems) -> _Layout:
    columns = _mapped(mapping)
    if all(isinstance(c, int) for c in columns.values()):
        return _Layout(1 if mapping.has_header else 0, {k: int(v) for k, v in columns.items()})
    wanted = {k: str(v).strip().lower() for k, v in columns.items()}
    for number, row in enumerate(rows[:50], start=1):
        cells = [c.strip().lower() for c in row]
        if wanted["date"] in cells:
            missing = [v for v in wanted.values() if v not in cells]
            if missing:
                problems.refuse(number, "header", f"columns not found: {', '.join(missing)}")
            return _Layout(number, {k: cells.index(v) for k, v in wanted.items()})
    problems.refuse(1, "header", f"no header row with a {wanted['date']!r} column")
    return None


def parse_amount(raw: str, mapping: ColumnMapping) -> Decimal:
    """Decimal from a bank's notation: thousands separators, decimal comma, +/- or (x)."""
    text = raw.strip().replace("\u00a0", "").replace(" ", "")
    negative = (text.startswith("(") and text.endswith(")")) or text.endswith("-")
    text = text.strip("()").rstrip("-")
    if mapping.thousands_separator:
        text = text.replace(mapping.thousands_separator, "")
    if mapping.decimal_comma:
        text = text.replace(",", ".")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
        raise ValueError(f"not an amount: {raw!r}")
    value = Decimal(text)
    return -value if negative else value


def _cell(row: list[str], layout: _Layout, key: str) -> str:
    index = layout.index.get(key)
    return row[index].strip() if index is not None and index < len(row) else ""


def _row_amount(row: list[str], layout: _Layout, mapping: ColumnMapping) -> Decimal:
    if mapping.amount is not None:
        amount = parse_amount(_cell(row, layout, "amount"), mapping)
        if mapping.sign is not None:
            marker = _cell(row, layout, "sign").upper()
            amount = -abs(amount) if marker in mapping.debit_markers else abs(amount)
        return amount
    debit, credit = _cell(row, layout, "debit"), _cell(row, layout, "credit")
    if not debit and not credit:
        raise ValueError("neither a debit nor a credit amount")
    total = abs(parse_amount(credit, mapping)) if credit else Decimal(0)
    return total - (abs(parse_amount(debit, mapping)) if debit else Decimal(0))


def _row_date(raw: str, mapping: ColumnMapping) -> date:
    return datetime.strptime(raw.strip(), mapping.date_format).date()  # noqa: DTZ007 (a date)


def _row(
    row: list[str], layout: _Layout, mapping: ColumnMapping, line: int, problems: Problems
) -> BankLine | None:
    try:
        booked = _row_date(_cell(row, layout, "date"), mapping)
    except ValueError:
        problems.add(
            line, "date", f"{_cell(row, layout, 'date')!r} does not match {mapping.date_format}"
        )
        return None
    try:
        amount = _row_amount(row, layout, mapping)
    except (ValueError, InvalidOperation) as exc:
        problems.add(line, "amount", str(exc))
        return None
    value_raw = _cell(row, layout, "value_date")
    try:
        value = _row_date(value_raw, mapping) if value_raw else booked
    except ValueError:
        problems.add(line, "value_date", f"{value_raw!r} does not match {mapping.date_format}")
        value = booked
    currency = (_cell(row, layout, "currency") or mapping.default_currency).upper()
    if not re.fullmatch(r"[A-Z]{3}", currency):
        problems.add(line, "currency", f"no ISO currency code: {currency!r}")
    texts = [_cell(row, layout, f"text{i}") for i in range(len(mapping.text))]
    return BankLine(
        bank_ref=_cell(row, layout, "reference"),
        booking_date=booked,
        value_date=value,
        amount=amount,
        currency=currency,
        counterparty_name=_cell(row, layout, "name"),
        counterparty_account=_cell(row, layout, "account"),
        remittance_text=" ".join(t for t in texts if t),
        extra={"row": str(line)},
    )


def parse_csv(data: bytes, mapping: ColumnMapping, path: str = "") -> list[Statement]:
    """Parse a CSV export with `mapping`; one `Statement` per currency found in the rows."""
    problems = Problems(path)
    text = (
        data.decode(mapping.encoding, errors="replace") if mapping.encoding else decode_text(data)
    )
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=_sniff(text, mapping)))
    except csv.Error as exc:
        problems.refuse(1, "csv", str(exc))
    layout = _layout(rows, mapping, problems)
    lines = []
    body = rows[layout.header_line : len(rows) - mapping.footer_rows]
    for number, row in enumerate(body, start=layout.header_line + 1):
        if any(cell.strip() for cell in row):
            line = _row(row, layout, mapping, number, problems)
            if line is not None:
                lines.append(line)
    problems.raise_if_any()
    by_currency: dict[str, list[BankLine]] = {}
    for line in lines:
        by_currency.setdefault(line.currency, []).append(line)
    return [
        Statement(
            format="csv",
            statement_id=f"{mapping.statement_account}/{currency}/{group[0].booking_date}",
            account=mapping.statement_account,
            currency=currency,
            opening_balance=None,
            closing_balance=None,
            from_date=min(ln.booking_date for ln in group if ln.booking_date),
            to_date=max(ln.booking_date for ln in group if ln.booking_date),
            lines=tuple(group),
        )
        for currency, group in by_currency.items()
    ]
