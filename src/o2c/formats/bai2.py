"""BAI2 (Cash Management Balance Reporting v2): groups, accounts, 16 details and 88 continuations.

Amounts carry no decimal point: the account's currency decides the implied decimals, so an
unknown currency makes every amount meaningless and the file is refused. The 49/98/99 trailers
hold control totals and record counts; they are the only integrity check the format has, so a
file whose trailers disagree with its content is refused (pass `check_totals=False` to read a
known-broken export anyway). Credit or debit follows from the type code, never from a sign.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from o2c.formats.bai2_records import (
    KEYED_TEXT,
    Detail,
    Summary,
    parse_detail,
    parse_summaries,
    parse_yymmdd,
    signed_for,
)
from o2c.formats.encoding import decode_text, split_lines
from o2c.formats.problems import Problems
from o2c.formats.statement import BankLine, Statement
from o2c.kernel.currency import minor_units

_RECORD = re.compile(r"^(01|02|03|16|49|88|98|99),")
_WRAP_WIDTH = 80


@dataclass
class _Record:
    code: str
    body: str
    line: int
    width: int

    def fields(self) -> list[str]:
        body = self.body.rstrip()
        if body.endswith("/"):
            body = body[:-1]
        return [f.strip() for f in body.split(",")]


@dataclass
class _Account:
    line: int
    number: str
    currency: str
    header_fields: list[str]
    records: int = 1
    details: list[Detail] = field(default_factory=list)
    continuation_of_detail: bool = False


@dataclass
class _Group:
    line: int
    as_of: date | None
    currency: str
    records: int = 1
    accounts: int = 0
    total: int = 0


def _read_records(text: str, problems: Problems) -> list[_Record]:
    records: list[_Record] = []
    for number, raw in enumerate(split_lines(text), start=1):
        line = raw.rstrip()
        if not line.strip():
            continue
        match = _RECORD.match(line)
        if match is None:
            problems.add(number, "record_code", f"not a BAI2 record: {line[:20]!r}")
            continue
        body = line[match.end() :]
        records.append(_Record(match.group(1), body, number, len(raw.rstrip("\r\n"))))
    return records


class _Reader:
    """Walks the records once, checking nesting, trailers and totals as it goes."""

    def __init__(self, path: str, problems: Problems, check_totals: bool) -> None:
        self.path = path
        self.problems = problems
        self.check_totals = check_totals
        self.file_id = ""
        self.file_records = 0
        self.file_total = 0
        self.groups = 0
        self.group: _Group | None = None
        self.account: _Account | None = None
        self.statements: list[Statement] = []
        self.seen_header = False
        self.seen_trailer = False
        self.last: _Record | None = None

    def read(self, records: list[_Record]) -> list[Statement]:
        handlers = {
            "01": self._file_header,
            "02": self._group_header,
            "03": self._account_header,
            "16": self._detail,
            "88": self._continuation,
            "49": self._account_trailer,
            "98": self._group_trailer,
            "99": self._file_trailer,
        }
        for record in records:
            if self.seen_trailer:
                self.problems.add(record.line, "record_code", "record after the 99 file trailer")
                break
            self.file_records += 1
            if self.group is not None and record.code != "02":
                self.group.records += 1
            if self.account is not None and record.code not in {"03"}:
                self.account.records += 1
            handlers[record.code](record)
            if record.code != "88":
                self.last = record
        if not self.seen_trailer:
            self.problems.add(records[-1].line if records else 0, "99", "file trailer missing")
        return self.statements

    def _file_header(self, record: _Record) -> None:
        if self.seen_header or self.file_records != 1:
            self.problems.add(record.line, "01", "file header must be the first record, once")
        self.seen_header = True
        fields = record.fields()
        self.file_id = "/".join(fields[:1] + fields[4:5])
        if len(fields) > 7 and fields[7] not in {"2", ""}:
            self.problems.add(record.line, "version", f"BAI version {fields[7]!r}, expected 2")

    def _group_header(self, record: _Record) -> None:
        if not self.seen_header:
            self.problems.add(record.line, "02", "group header before the file header")
        if self.group is not None:
            self.problems.add(record.line, "02", "group header inside an open group (98 missing)")
        fields = record.fields() + [""] * 7
        as_of = parse_yymmdd(fields[3])
        if fields[3] and as_of is None:
            self.problems.add(record.line, "as_of_date", f"not a YYMMDD date: {fields[3]!r}")
        self.group = _Group(record.line, as_of, fields[5] or "USD")
        self.groups += 1

    def _account_header(self, record: _Record) -> None:
        if self.group is None:
            self.problems.refuse(record.line, "03", "account header outside a group")
        if self.account is not None:
            self.problems.add(record.line, "03", "account header inside an open account")
        fields = record.fields()
        currency = (fields[1] if len(fields) > 1 else "") or self.group.currency
        try:
            minor_units(currency)
        except ValueError:
            self.problems.add(record.line, "currency", f"unknown currency {currency!r}")
            currency = "USD"
        self.group.accounts += 1
        self.account = _Account(record.line, fields[0], currency, fields[2:])

    def _detail(self, record: _Record) -> None:
        if self.account is None:
            self.problems.refuse(record.line, "16", "transaction detail outside an account")
        detail = parse_detail(record.body, record.line, self.problems)
        if detail is not None:
            self.account.details.append(detail)
        self.account.continuation_of_detail = detail is not None

    def _continuation(self, record: _Record) -> None:
        if self.last is None or self.last.code in {"88"}:
            self.problems.add(record.line, "88", "continuation without a record to continue")
            return
        if self.last.code == "16" and self.account and self.account.continuation_of_detail:
            detail = self.account.details[-1]
            text = record.body.rstrip()
            text = text[:-1] if text.endswith("/") else text
            detail.add_text(text, glued=self.last.width == _WRAP_WIDTH)
            self.last = _Record("16", "", record.line, record.width)
        elif self.last.code == "03" and self.account is not None:
            self.account.header_fields.extend(record.fields())

    def _account_trailer(self, record: _Record) -> None:
        account = self.account
        if account is None or self.group is None:
            self.problems.add(record.line, "49", "account trailer without an account")
            return
        self.account = None
        summaries = parse_summaries(account.header_fields, account.line, self.problems)
        computed = sum(s.amount for s in summaries) + sum(d.amount for d in account.details)
        fields = [*record.fields(), "", ""]
        self._check(record.line, "account_control_total", fields[0], computed)
        self._check(record.line, "number_of_records", fields[1], account.records, blank_ok=False)
        self.group.total += computed
        self.statements.append(self._statement(account, summaries))

    def _group_trailer(self, record: _Record) -> None:
        group = self.group
        if group is None or self.account is not None:
            self.problems.add(record.line, "98", "group trailer without a closed group")
            self.account = None
            if group is None:
                return
        self.group = None
        fields = [*record.fields(), "", "", ""]
        self._check(record.line, "group_control_total", fields[0], group.total)
        self._check(record.line, "number_of_accounts", fields[1], group.accounts, blank_ok=False)
        self._check(record.line, "number_of_records", fields[2], group.records, blank_ok=False)
        self.file_total += group.total

    def _file_trailer(self, record: _Record) -> None:
        if self.group is not None:
            self.problems.add(record.line, "99", "file trailer inside an open group (98 missing)")
        self.seen_trailer = True
        fields = [*record.fields(), "", "", ""]
        self._check(record.line, "file_control_total", fields[0], self.file_total)
        self._check(record.line, "number_of_groups", fields[1], self.groups, blank_ok=False)
        self._check(record.line, "number_of_records", fields[2], self.file_records, blank_ok=False)

    def _check(self, line: int, name: str, raw: str, computed: int, blank_ok: bool = True) -> None:
        if not raw and blank_ok:
            raw = "0"
        if not re.fullmatch(r"[+-]?\d+", raw):
            self.problems.add(line, name, f"not a whole number: {raw!r}")
        elif self.check_totals and int(raw) != computed:
            self.problems.add(
                line, name, f"trailer says {int(raw)}, the records add up to {computed}"
            )

    def _statement(self, account: _Account, summaries: list[Summary]) -> Statement:
        exponent = minor_units(account.currency)
        as_of = self.group.as_of if self.group else None
        balances = {s.type_code: Decimal(s.amount).scaleb(-exponent) for s in summaries}
        lines = tuple(self._line(d, account.currency, exponent, as_of) for d in account.details)
        sequence = len(self.statements) + 1
        return Statement(
            format="bai2",
            statement_id=f"{self.file_id}/{as_of or ''}/{account.number}/{sequence}",
            account=account.number,
            currency=account.currency,
            opening_balance=balances.get("010"),
            closing_balance=balances.get("015"),
            from_date=as_of,
            to_date=as_of,
            lines=lines,
            extra={f"summary_{code}": str(amount) for code, amount in balances.items()},
        )

    @staticmethod
    def _line(detail: Detail, currency: str, exponent: int, as_of: date | None) -> BankLine:
        keyed = detail.keyed()
        credit = signed_for(detail.type_code) >= 0
        party = "debtor" if credit else "creditor"
        pick = KEYED_TEXT[party]
        amount = Decimal(detail.amount).scaleb(-exponent) * signed_for(detail.type_code)
        return BankLine(
            bank_ref=detail.bank_ref,
            booking_date=as_of,
            value_date=detail.value_date or as_of,
            amount=amount,
            currency=currency,
            counterparty_name=next((keyed[k] for k in pick["name"] if keyed.get(k)), ""),
            counterparty_account=next((keyed[k] for k in pick["account"] if keyed.get(k)), ""),
            counterparty_bic=next((keyed[k] for k in pick["bic"] if keyed.get(k)), ""),
            remittance_text=detail.full_text(),
            end_to_end_id=keyed.get("EREF") or detail.customer_ref,
            transaction_code=detail.type_code,
            extra={"customer_ref": detail.customer_ref, "funds_type": detail.funds_type} | keyed,
        )


def parse_bai2(data: bytes, path: str = "", *, check_totals: bool = True) -> list[Statement]:
    """Parse a BAI2 file into one `Statement` per account and group (as-of day)."""
    problems = Problems(path)
    records = _read_records(decode_text(data), problems)
    if not records:
        problems.refuse(1, "01", "no BAI2 records in the file")
    if records[0].code != "01":
        problems.refuse(records[0].line, "01", "a BAI2 file starts with the 01 file header")
    statements = _Reader(path, problems, check_totals).read(records)
    problems.raise_if_any()
    return statements
