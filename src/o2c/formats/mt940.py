"""SWIFT MT940 (customer statement) and MT942 (interim report), with or without the envelope.

Banks wrap the message in SWIFT blocks ({1:}{2:}{4: … -}), put their own header lines
before :20: (ABN AMRO "ABNANL2A/940", Rabobank ":940:") or none at all; all are accepted.
A statement must balance: opening balance plus its lines equals the closing balance, which is
how a truncated or hand-edited file is caught. Amounts use a decimal comma and carry no sign;
the debit/credit mark signs them (credit positive), an R prefix marks a reversal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from o2c.formats.encoding import decode_text, split_lines
from o2c.formats.mt940_details import parse_details
from o2c.formats.problems import Problems
from o2c.formats.statement import BankLine, Statement

_TAG = re.compile(r"^:(\d{2}[A-Z]?|NS):(.*)$")
_BAD_TAG = re.compile(r"^:\d+[A-Z]?:")
_ENVELOPE = re.compile(r"\{[1235]:(?:[^{}]|\{[^{}]*\})*\}|\{4:|-\}")
_HEADER_TAGS = {":940:", ":942:"}
# RC is the reversal of a credit, so money leaves the account: a debit.
_DEBIT_MARKS = {"D", "RC", "ED"}
# Customer references that say "see :86:" rather than being one.
_PLACEHOLDER_REFS = {"NONREF", "EREF", "PREF", "MARF", "KREF+", "NOTPROVIDED"}
_BALANCE = re.compile(r"^(?P<mark>[CD])(?P<date>\d{6})(?P<ccy>[A-Z]{3})(?P<amount>\d+,\d*)$")
_FLOOR = re.compile(r"^(?P<ccy>[A-Z]{3})(?P<mark>[CD])?(?P<amount>\d+(?:,\d*)?)$")
_LINE = re.compile(
    r"^(?P<value>\d{6})(?P<entry>\d{4})?\s*(?P<mark>R?[CD]|E[CD])(?P<funds>[A-Z])?"
    r"(?P<amount>\d+(?:,\d*)?)(?P<type>[A-Z].{3})(?P<ref>.*)$"
)


@dataclass
class _Field:
    tag: str
    line: int
    lines: list[str]


@dataclass
class _Message:
    line: int
    fields: list[_Field] = field(default_factory=list)

    def first(self, *tags: str) -> _Field | None:
        return next((f for f in self.fields if f.tag in tags), None)


def _yymmdd(raw: str) -> date | None:
    try:
        year = int(raw[:2])
        return date(year + (1900 if year >= 70 else 2000), int(raw[2:4]), int(raw[4:6]))
    except ValueError:
        return None


def _amount(raw: str) -> Decimal:
    return Decimal(raw.replace(",", "."))


def _clean(raw: str) -> str:
    return _ENVELOPE.sub("", raw.replace("\x01", "").replace("\x03", "")).rstrip()


def _ends_message(lines: list[str], index: int) -> bool:
    """A lone "-" closes a message, unless it is part of a wrapped :86: text (ING does that)."""
    following = next((ln for ln in lines[index + 1 :] if ln.strip()), None)
    return following is None or bool(_TAG.match(following) or _BAD_TAG.match(following))


def _tokenise(text: str, problems: Problems) -> list[_Message]:
    """Group the lines into messages (one per :20:) of fields with their continuation lines."""
    messages: list[_Message] = []
    current: _Field | None = None
    lines = [_clean(raw) for raw in split_lines(text)]
    for number, line in enumerate(lines, start=1):
        match = _TAG.match(line)
        if match is None:
            if _BAD_TAG.match(line) and not (current is None and line in _HEADER_TAGS):
                problems.add(number, "tag", f"{line.split(':')[1]!r} is not an MT940 field tag")
            elif line == "-" and _ends_message(lines, number - 1):
                current = None
            elif current is not None:
                current.lines.append(line)
            elif line.strip() and messages:
                problems.add(number, "tag", f"text outside any field: {line[:30]!r}")
            continue
        tag, value = match.group(1), match.group(2)
        if tag == "20":
            messages.append(_Message(number))
        elif current is None:
            problems.add(number, tag, "field outside a message (before :20: or after '-')")
            continue
        current = _Field(tag, number, [value])
        messages[-1].fields.append(current)
    return messages


def _balance(fld: _Field | None, problems: Problems) -> tuple[Decimal, str, date | None] | None:
    if fld is None:
        return None
    match = _BALANCE.match(fld.lines[0].strip())
    if match is None:
        problems.add(
            fld.line, fld.tag, f"not a balance (C/D, YYMMDD, currency, amount): {fld.lines[0]!r}"
        )
        return None
    sign = -1 if match.group("mark") == "D" else 1
    day = _yymmdd(match.group("date"))
    if day is None:
        problems.add(fld.line, fld.tag, f"not a YYMMDD date: {match.group('date')!r}")
    return sign * _amount(match.group("amount")), match.group("ccy"), day


def _entry_date(value: date, mmdd: str | None) -> date | None:
    """The booking date has no year: take the value date's, across a year end if needed."""
    if not mmdd:
        return None
    try:
        booked = date(value.year, int(mmdd[:2]), int(mmdd[2:]))
    except ValueError:
        return None
    if booked.month - value.month > 6:
        return booked.replace(year=value.year - 1)
    if value.month - booked.month > 6:
        return booked.replace(year=value.year + 1)
    return booked


def _references(ref: str, rest: list[str]) -> tuple[str, str, list[str]]:
    """Customer ref, bank ref and supplementary lines of a :61: field.

    ING wraps a long bank reference onto the next line ("…//00000000001" + "005"), so a
    short all-digit next line still fits the 16-character bank reference is joined to it.
    """
    customer, _, bank = ref.partition("//")
    if bank and rest and rest[0].isdigit() and len(bank) + len(rest[0]) <= 16:
        bank, rest = bank + rest[0], rest[1:]
    return customer.strip(), bank.strip(), rest


def _line(fld: _Field, info: _Field | None, currency: str, problems: Problems) -> BankLine | None:
    match = _LINE.match(fld.lines[0])
    if match is None:
        problems.add(fld.line, "61", f"not a statement line: {fld.lines[0][:40]!r}")
        return None
    value_date = _yymmdd(match.group("value"))
    if value_date is None:
        problems.add(fld.line, "61", f"not a YYMMDD value date: {match.group('value')!r}")
        return None
    customer, bank, rest = _references(match.group("ref"), fld.lines[1:])
    supplementary = "".join(rest).strip()
    details = parse_details(info.lines if info else [])
    mark = match.group("mark")
    amount = _amount(match.group("amount")) * (-1 if mark in _DEBIT_MARKS else 1)
    extra = {"customer_ref": customer, "supplementary": supplementary, "gvc": details.code}
    extra |= {k: v for k, v in details.fields.items() if v}
    account = details.account
    if not account and re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}", supplementary):
        account = supplementary
    return BankLine(
        bank_ref=bank or ("" if customer in _PLACEHOLDER_REFS else customer),
        booking_date=_entry_date(value_date, match.group("entry")) or value_date,
        value_date=value_date,
        amount=amount,
        currency=currency,
        counterparty_name=details.name,
        counterparty_account=account,
        counterparty_bic=details.bic,
        remittance_text=details.text,
        structured_refs=details.refs,
        end_to_end_id=details.end_to_end_id,
        transaction_code=match.group("type").strip(),
        is_reversal=mark.startswith("R"),
        booked=not mark.startswith("E"),
        extra={k: v for k, v in extra.items() if v},
    )


def _lines(message: _Message, currency: str, problems: Problems) -> list[BankLine]:
    lines: list[BankLine] = []
    for index, fld in enumerate(message.fields):
        if fld.tag != "61":
            continue
        following = message.fields[index + 1] if index + 1 < len(message.fields) else None
        info = following if following is not None and following.tag == "86" else None
        line = _line(fld, info, currency, problems)
        if line is not None:
            lines.append(line)
    return lines


def _account(raw: str, currency: str) -> str:
    """:25: as the bank wrote it, less a currency some banks append to the IBAN."""
    account = raw.strip()
    for suffix in (f" {currency}", currency):
        stem = account.removesuffix(suffix).strip()
        if stem != account and re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}", stem):
            return stem
    return account


def _statement(message: _Message, problems: Problems, check_balances: bool) -> Statement | None:
    is_942 = message.first("60F", "60M") is None and message.first("34F", "13D", "13") is not None
    kind = "mt942" if is_942 else "mt940"
    required = ("25", "34F") if is_942 else ("25", "60F", "60M", "62F", "62M")
    for tag in required:
        group = [t for t in required if t[:2] == tag[:2]]
        if tag == group[0] and message.first(*group) is None:
            problems.add(message.line, tag, f":{tag}: missing in the statement starting here")
    opening = _balance(message.first("60F", "60M"), problems)
    closing = _balance(message.first("62F", "62M"), problems)
    currency = opening[1] if opening else _floor_currency(message, problems)
    if not currency:
        return None
    lines = _lines(message, currency, problems)
    closing_field = message.first("62F", "62M")
    if check_balances and opening and closing and closing_field is not None:
        total = opening[0] + sum(ln.amount for ln in lines)
        if total != closing[0]:
            reason = f"closing balance {closing[0]} differs from opening plus lines {total}"
            problems.add(closing_field.line, closing_field.tag, reason)
    reference = message.first("20")
    sequence = message.first("28C", "28")
    account = message.first("25")
    return Statement(
        format=kind,
        statement_id="/".join(f.lines[0].strip() for f in (reference, sequence) if f is not None),
        account=_account(account.lines[0], currency) if account else "",
        currency=currency,
        opening_balance=opening[0] if opening else None,
        closing_balance=closing[0] if closing else None,
        from_date=opening[2] if opening else None,
        to_date=closing[2] if closing else _floor_date(message),
        lines=tuple(lines),
    )


def _floor_currency(message: _Message, problems: Problems) -> str:
    floor = message.first("34F")
    match = _FLOOR.match(floor.lines[0].strip()) if floor else None
    if floor is not None and match is None:
        problems.add(floor.line, "34F", f"not a floor limit: {floor.lines[0]!r}")
    return match.group("ccy") if match else ""


def _floor_date(message: _Message) -> date | None:
    stamp = message.first("13D", "13")
    return _yymmdd(stamp.lines[0][:6]) if stamp else None


def parse_mt940(data: bytes, path: str = "", *, check_balances: bool = True) -> list[Statement]:
    """Parse an MT940 or MT942 file into one `Statement` per :20: message.

    `check_balances=False` reads statements whose lines do not add up to the closing balance
    (hand-edited or truncated exports) instead of refusing them.
    """
    problems = Problems(path)
    messages = _tokenise(decode_text(data), problems)
    if not messages and not problems:
        problems.refuse(1, "20", "no MT940/MT942 message (:20:) in the file")
    parsed = (_statement(m, problems, check_balances) for m in messages)
    statements = [s for s in parsed if s is not None]
    problems.raise_if_any()
    return statements
