"""Customer master-data import from CSV: check everything, then insert everything at once.

Columns: `customer_id` (the customer's code) and `name` are required; `iban`, `country`,
`parent_id` (another customer's code, in this file in any order or already stored), `currency`
(default: the company's base currency), `email`, `tax_id`, `credit_limit` (a decimal in the
customer's currency) and `payment_terms` (a term code) are optional; any other column is kept in
the customer's `attributes`. A file with any problem changes nothing and reports every problem
with its physical line (the header is line 1); a clean file is inserted with set-based
statements in one transaction and one audit record.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Select, insert, select, update

from o2c.db.uow import UnitOfWork
from o2c.kernel.currency import minor_units
from o2c.kernel.errors import FileError, InvalidFile
from o2c.kernel.money import Money
from o2c.parties.model import customer_problems, iban_problem, normalize_iban
from o2c.parties.service import chunks, customer_ids
from o2c.parties.tables import Customer as CustomerRow
from o2c.parties.tables import CustomerBankAccount as BankAccountRow
from o2c.parties.tables import payment_term_ref
from o2c.security.model import Actor, Permission
from o2c.security.service import audit, get_company

REQUIRED = ("customer_id", "name")
OPTIONAL = (
    "iban",
    "country",
    "parent_id",
    "currency",
    "email",
    "tax_id",
    "credit_limit",
    "payment_terms",
)
# The model's field names as this file's columns, so problems name what the user sees.
_COLUMN_OF = {"code": "customer_id"}


class TermMaker(Protocol):
    """Creates payment terms from codes such as NET45. Catalog (above parties) implements it
    (`o2c.catalog.service.PaymentTermMaker`); the caller wiring both domains passes it in."""

    def problem(self, code: str) -> str | None: ...

    def create(self, uow: UnitOfWork, actor: Actor, codes: Collection[str]) -> dict[str, int]: ...


@dataclass(frozen=True)
class ImportResult:
    customers: int
    bank_accounts: int
    parents_linked: int
    payment_terms_created: list[str]
    ids: dict[str, int] = field(repr=False)
    sha256: str


@dataclass
class _Row:
    line: int
    code: str
    name: str
    currency: str
    values: dict[str, str]
    credit_limit: Money | None = None
    iban: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)


def import_customers(
    uow: UnitOfWork,
    actor: Actor,
    source: Path | str,
    *,
    name: str = "<text>",
    terms: TermMaker | None = None,
    delimiter: str = ",",
) -> ImportResult:
    """Import customers from a CSV file (`Path`) or CSV text (`str`, reported as `name`).

    Without `terms`, payment-term codes must already exist; with it, readable unknown codes
    (NET45) become new terms in the same transaction. Codes that already exist as customers
    are reported, never overwritten. Raises `InvalidFile` listing every problem.
    """
    actor.require(Permission.IMPORT_DATA)
    actor.require(Permission.MASTER_DATA_WRITE)
    if isinstance(source, Path):
        name = str(source)
        data = source.read_bytes()
    else:
        data = source.encode()
    text = _decode(data, name)
    with uow:
        base_currency = get_company(uow, actor.company_id).base_currency
        rows, problems = _parse(text, delimiter, base_currency)
        known_terms, new_terms = _check_references(uow, actor, rows, terms, problems)
        if problems:
            raise InvalidFile(name, sorted(problems, key=lambda p: (p.line, p.field)))
        term_ids, created = _resolve_terms(uow, actor, known_terms, new_terms, terms)
        result = _insert(uow, actor, rows, term_ids, created, hashlib.sha256(data).hexdigest())
        audit(
            uow,
            actor,
            "customer.import",
            "customer_import",
            result.sha256[:16],
            _summary(name, result),
        )
        uow.publish(
            actor.company_id,
            "customers.imported",
            {"file": name, "customers": result.customers, "sha256": result.sha256},
        )
        uow.commit()
        return result


def _resolve_terms(
    uow: UnitOfWork,
    actor: Actor,
    known: dict[str, int],
    new: list[str],
    terms: TermMaker | None,
) -> tuple[dict[str, int], list[str]]:
    """Ids of every term code in the file, and the codes that became new terms."""
    if not new or terms is None:
        return known, []
    before = set(uow.session.scalars(_term_ids(actor.company_id)))
    made = terms.create(uow, actor, new)
    created = sorted(code for code, term_id in made.items() if term_id not in before)
    return known | made, created


def _summary(name: str, result: ImportResult) -> dict[str, object]:
    return {
        "file": name,
        "sha256": result.sha256,
        "customers": result.customers,
        "bank_accounts": result.bank_accounts,
        "parents_linked": result.parents_linked,
        "payment_terms_created": result.payment_terms_created,
    }


def _decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InvalidFile(name, [FileError(line, "", "not UTF-8 text")]) from None


class _Malformed(Exception):
    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line


def _records(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """Each CSV record with the physical line it starts on (quoted fields may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    start = 1
    try:
        for record in reader:
            yield start, record
            start = reader.line_num + 1
    except csv.Error as exc:
        raise _Malformed(reader.line_num, f"malformed CSV: {exc}") from None


def _parse(text: str, delimiter: str, base_currency: str) -> tuple[list[_Row], list[FileError]]:
    problems: list[FileError] = []
    rows: list[_Row] = []
    records = _records(text, delimiter)
    try:
        columns = [c.strip() for c in next(records, (1, []))[1]]
        problems += _header_problems(columns)
        if problems:
            return [], problems
        first_line: dict[str, int] = {}
        for line, record in records:
            if not any(value.strip() for value in record):
                continue
            if len(record) != len(columns):
                reason = f"has {len(record)} fields, the header {len(columns)}"
                problems.append(FileError(line, "", reason))
                continue
            values = {c: v.strip() for c, v in zip(columns, record, strict=True)}
            row = _row(line, values, base_currency, problems)
            if row.code in first_line:
                reason = f"duplicate of line {first_line[row.code]}"
                problems.append(FileError(line, "customer_id", reason))
            elif row.code:
                first_line[row.code] = line
            rows.append(row)
    except _Malformed as exc:
        problems.append(FileError(exc.line, "", str(exc)))
    return rows, problems


def _header_problems(columns: list[str]) -> list[FileError]:
    if not any(columns):
        return [FileError(1, "", "empty file: expected a header with customer_id,name")]
    problems = [
        FileError(1, column, "required column missing")
        for column in REQUIRED
        if column not in columns
    ]
    seen: set[str] = set()
    for column in columns:
        if not column:
            problems.append(FileError(1, "", "a column has no name"))
        elif column in seen:
            problems.append(FileError(1, column, "column appears twice"))
        seen.add(column)
    return problems


def _row(line: int, values: dict[str, str], base_currency: str, problems: list[FileError]) -> _Row:
    """One record's own checks (no database); references are checked over the whole file."""
    row = _Row(
        line=line,
        code=values["customer_id"],
        name=values["name"],
        currency=(values.get("currency") or base_currency).upper(),
        values=values,
        attributes={
            k: v for k, v in values.items() if k not in REQUIRED and k not in OPTIONAL and v
        },
    )
    if not row.code:
        problems.append(FileError(line, "customer_id", "required"))
    row.credit_limit = _credit_limit(line, values.get("credit_limit"), row.currency, problems)
    if iban := values.get("iban"):
        reason = iban_problem(iban)
        if reason:
            problems.append(FileError(line, "iban", reason))
        row.iban = normalize_iban(iban)
    for error in customer_problems(
        code=row.code or None,
        name=row.name,
        currency=row.currency,
        country=_country(values),
        tax_id=values.get("tax_id") or None,
        email=values.get("email") or None,
        language="en",
        credit_limit=row.credit_limit,
    ):
        problems.append(FileError(line, _COLUMN_OF.get(error.field, error.field), error.reason))
    return row


def _country(values: dict[str, str]) -> str | None:
    return values.get("country", "").upper() or None


def _credit_limit(
    line: int, text: str | None, currency: str, problems: list[FileError]
) -> Money | None:
    if not text:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        amount = Decimal("NaN")
    if not amount.is_finite():
        problems.append(
            FileError(line, "credit_limit", f"not a decimal number like 5000.00: {text!r}")
        )
        return None
    try:
        places = minor_units(currency)
    except ValueError:
        return None  # the currency column reports it
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        problems.append(
            FileError(line, "credit_limit", f"more decimal places than {currency} has ({places})")
        )
        return None
    return Money(amount, currency)


def _check_references(
    uow: UnitOfWork,
    actor: Actor,
    rows: list[_Row],
    terms: TermMaker | None,
    problems: list[FileError],
) -> tuple[dict[str, int], list[str]]:
    """Codes already taken, parents and payment terms known; returns the terms' ids by code
    and the codes to create."""
    in_file = {row.code: row for row in rows if row.code}
    parent_codes = {row.values.get("parent_id", "") for row in rows} - {""}
    stored = customer_ids(uow, actor.company_id, [*in_file, *parent_codes])
    for row in rows:
        if row.code in stored:
            problems.append(FileError(row.line, "customer_id", "already exists"))
        parent = row.values.get("parent_id")
        if parent and parent not in in_file and parent not in stored:
            problems.append(FileError(row.line, "parent_id", f"unknown customer {parent!r}"))
    problems += _cycles(in_file)
    return _term_references(uow, actor.company_id, rows, terms, problems)


def _cycles(in_file: dict[str, _Row]) -> list[FileError]:
    """A row whose chain of parents inside the file comes back to itself."""
    problems = []
    for code, row in in_file.items():
        chain = [code]
        parent = row.values.get("parent_id")
        while parent and parent in in_file and parent not in chain:
            chain.append(parent)
            parent = in_file[parent].values.get("parent_id")
        if parent == code:
            path = " → ".join([*chain, code])
            problems.append(FileError(row.line, "parent_id", f"hierarchy cycle {path}"))
    return problems


def _term_references(
    uow: UnitOfWork,
    company_id: int,
    rows: list[_Row],
    terms: TermMaker | None,
    problems: list[FileError],
) -> tuple[dict[str, int], list[str]]:
    codes = sorted({row.values.get("payment_terms", "") for row in rows} - {""})
    known: dict[str, int] = {}
    for part in chunks(codes):
        rows_found = uow.session.execute(
            select(payment_term_ref.c.code, payment_term_ref.c.id).where(
                payment_term_ref.c.company_id == company_id, payment_term_ref.c.code.in_(part)
            )
        )
        for code, term_id in rows_found:
            known[code] = term_id
    bad: dict[str, str] = {}
    for code in codes:
        if code in known:
            continue
        reason = terms.problem(code) if terms is not None else "unknown payment term"
        if reason is not None:
            bad[code] = reason if terms is None else f"unknown payment term and {reason}"
    for row in rows:
        code = row.values.get("payment_terms", "")
        if code in bad:
            problems.append(FileError(row.line, "payment_terms", f"{bad[code]}: {code!r}"))
    return known, [code for code in codes if code not in known and code not in bad]


def _term_ids(company_id: int) -> Select[int]:
    return select(payment_term_ref.c.id).where(payment_term_ref.c.company_id == company_id)


def _insert(
    uow: UnitOfWork,
    actor: Actor,
    rows: list[_Row],
    term_ids: dict[str, int],
    created_terms: list[str],
    sha256: str,
) -> ImportResult:
    now = uow.clock.now()
    stored_parents = customer_ids(
        uow, actor.company_id, {r.values.get("parent_id", "") for r in rows} - {""}
    )
    records = [_record(actor.company_id, row, stored_parents, term_ids, now) for row in rows]
    new_ids = list(
        uow.session.scalars(
            insert(CustomerRow).returning(CustomerRow.id, sort_by_parameter_order=True), records
        )
    )
    ids = {row.code: new_id for row, new_id in zip(rows, new_ids, strict=True)}
    accounts = [
        {"company_id": actor.company_id, "customer_id": ids[row.code], "iban": row.iban}
        for row in rows
        if row.iban
    ]
    if accounts:
        uow.session.execute(insert(BankAccountRow), accounts)
    links = [
        {"id": ids[row.code], "parent_id": ids[row.values["parent_id"]]}
        for row in rows
        if row.values.get("parent_id") in ids
    ]
    if links:
        uow.session.execute(update(CustomerRow), links)
    return ImportResult(
        customers=len(new_ids),
        bank_accounts=len(accounts),
        parents_linked=len(links) + sum(1 for r in records if r["parent_id"] is not None),
        payment_terms_created=created_terms,
        ids=ids,
        sha256=sha256,
    )


def _record(
    company_id: int,
    row: _Row,
    stored_parents: dict[str, int],
    term_ids: dict[str, int],
    now: datetime,
) -> dict[str, Any]:
    """A row as the customer table takes it; parents inside the file are linked afterwards."""
    return {
        "company_id": company_id,
        "code": row.code,
        "name": row.name,
        "currency": row.currency,
        "country": _country(row.values),
        "tax_id": row.values.get("tax_id") or None,
        "email": row.values.get("email") or None,
        "language": "en",
        "parent_id": stored_parents.get(row.values.get("parent_id", "")),
        "payment_term_id": term_ids.get(row.values.get("payment_terms", "")),
        "price_list_id": None,
        "credit_limit_minor": None if row.credit_limit is None else row.credit_limit.minor,
        "invoice_on": "shipment",
        "attributes": row.attributes,
        "active": True,
        "created_at": now,
    }
