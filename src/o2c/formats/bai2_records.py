"""BAI2 field-level rules: funds types, summary groups, 16 detail records, type-code sign.

Kept apart from the record walk in `bai2.py` because these rules (how many fields a funds type
pulls in, which type codes are credits) are what banks' variants differ in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from o2c.formats.problems import Problems

_AMOUNT = re.compile(r"[+-]?\d+")
_UNSIGNED = re.compile(r"\+?\d+")
_SIMPLE_FUNDS = {"", "0", "1", "2", "Z"}
# GS-style "EREF: x" and Fedwire-style "OBI:=x" continuation lines.
_KEYED = re.compile(r"^\s*([A-Z][A-Z0-9 ]{1,20}?)\s*(?::=|:)\s?(.*)$")

KEYED_TEXT: dict[str, dict[str, tuple[str, ...]]] = {
    "debtor": {"name": ("DBNM", "ORG", "FROM"), "account": ("DACT",), "bic": ("DBIC",)},
    "creditor": {"name": ("CRNM", "BNF NAME", "TO"), "account": ("CACT",), "bic": ("CBIC",)},
}


def parse_yymmdd(raw: str) -> date | None:
    if not re.fullmatch(r"\d{6}", raw):
        return None
    try:
        return date(2000 + int(raw[:2]), int(raw[2:4]), int(raw[4:6]))
    except ValueError:
        return None


def signed_for(type_code: str) -> int:
    """+1 for credit type codes, -1 for debits, 0 for status and non-monetary codes.

    BAI2: 100-399 credits, 400-699 debits, 700-759 loan credits, 760-799 loan debits.
    900-999 are bank-defined; the split 900-959 credit / 960-999 debit is the one NAB and
    most US banks follow.
    """
    if not type_code.isdigit():
        return 0
    code = int(type_code)
    if 100 <= code < 400 or 700 <= code < 760 or 900 <= code < 960:
        return 1
    if 400 <= code < 700 or 760 <= code < 800 or 960 <= code < 1000:
        return -1
    return 0


@dataclass(frozen=True)
class Summary:
    type_code: str
    amount: int


@dataclass
class Detail:
    type_code: str
    amount: int
    funds_type: str
    value_date: date | None
    bank_ref: str
    customer_ref: str
    texts: list[str] = field(default_factory=list)

    def add_text(self, text: str, glued: bool) -> None:
        if glued and self.texts:
            self.texts[-1] += text
        else:
            self.texts.append(text)

    def full_text(self) -> str:
        return " ".join(t.strip() for t in self.texts if t.strip())

    def keyed(self) -> dict[str, str]:
        """Key/value pairs banks put on continuation lines (EREF, DBNM, OBI …)."""
        pairs: dict[str, str] = {}
        for text in self.texts[1:]:
            match = _KEYED.match(text)
            if match and match.group(2).strip():
                pairs.setdefault(match.group(1).strip(), match.group(2).strip())
        first = self.texts[0] if self.texts else ""
        for key in ("From", "To"):
            found = re.search(rf"(?:^|, ){key}: ([^,]+)", first)
            if found:
                pairs.setdefault(key.upper(), found.group(1).strip())
        return pairs


def _funds_fields(funds: str, rest: list[str], line: int, problems: Problems) -> int:
    """How many fields after the funds type belong to it; reports an unknown funds type."""
    if funds in _SIMPLE_FUNDS:
        return 0
    if funds == "V":
        return 2
    if funds == "S":
        return 3
    if funds == "D":
        count = rest[0] if rest else ""
        if not count.isdigit():
            problems.add(line, "funds_type", f"D availability needs a count, got {count!r}")
            return len(rest)
        return 1 + 2 * int(count)
    problems.add(line, "funds_type", f"{funds!r} is not a BAI2 funds type (0,1,2,S,V,D,Z)")
    return 0


def parse_summaries(fields: list[str], line: int, problems: Problems) -> list[Summary]:
    """The type-code/amount/count/funds groups of a 03 record and its 88 continuations."""
    summaries: list[Summary] = []
    index = 0
    while index < len(fields):
        if not fields[index]:
            index += 1
            continue
        code, amount = fields[index], (fields[index + 1] if index + 1 < len(fields) else "")
        if not re.fullmatch(r"\d{3}", code):
            problems.add(line, "type_code", f"not a 3-digit summary type code: {code!r}")
            return summaries
        if amount and not _AMOUNT.fullmatch(amount):
            problems.add(line, "amount", f"type {code}: not an amount: {amount!r}")
        elif amount:
            summaries.append(Summary(code, int(amount)))
        funds = fields[index + 3] if index + 3 < len(fields) else ""
        index += 4 + _funds_fields(funds, fields[index + 4 :], line, problems)
    return summaries


def _take(body: str, count: int) -> tuple[list[str], str]:
    parts = body.split(",", count)
    if len(parts) <= count:
        return [p.strip() for p in parts] + [""] * (count - len(parts)), ""
    return [p.strip() for p in parts[:count]], parts[count]


def parse_detail(body: str, line: int, problems: Problems) -> Detail | None:
    """A 16 record: type, amount, funds type (+ its fields), bank ref, customer ref, text."""
    (type_code, amount, funds), rest = _take(body, 3)
    if not re.fullmatch(r"\d{3}", type_code):
        problems.add(line, "type_code", f"not a 3-digit detail type code: {type_code!r}")
        return None
    if not _UNSIGNED.fullmatch(amount):
        problems.add(line, "amount", f"not an unsigned amount: {amount!r}")
        return None
    rest_fields = [f.strip() for f in rest.split(",")]
    extra_count = _funds_fields(funds, rest_fields, line, problems)
    funds_values, rest = _take(rest, extra_count) if extra_count else ([], rest)
    value_date = None
    if funds == "V":
        value_date = parse_yymmdd(funds_values[0])
        if value_date is None:
            problems.add(line, "value_date", f"not a YYMMDD date: {funds_values[0]!r}")
    (bank_ref, customer_ref), text = _take(rest, 2)
    text = text.rstrip()
    text = text[:-1] if text.endswith("/") else text
    bank_ref = bank_ref.rstrip("/")
    customer_ref = customer_ref.rstrip("/")
    return Detail(type_code, int(amount), funds, value_date, bank_ref, customer_ref, [text])
