"""Open-items import: the receivables a company brings along from its previous system.

Each row becomes a posted invoice (or, with a negative amount, a credit note) carrying its
own number, and one opening-balance entry for what is still open: DR AR / CR opening
balances. The part already paid predates o2c, so only `open_amount` enters the ledger while
`amount` stays the document total. The whole file is checked first and every problem is
reported with its line and column; only a clean file changes anything, in one transaction.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from sqlalchemy import select

from o2c.billing.model import InvoiceKind, InvoiceSource, InvoiceStatus, to_minor
from o2c.billing.posting import opening_entry
from o2c.billing.tables import Invoice
from o2c.db.bulk import insert_ids
from o2c.db.uow import UnitOfWork
from o2c.kernel.currency import is_currency
from o2c.kernel.errors import FileError, InvalidFile, ValidationFailed
from o2c.ledger.model import EntryDraft, ItemKind, to_base
from o2c.ledger.service import ItemDraft, post_documents, rate_on
from o2c.parties import service as parties
from o2c.security.model import Actor, Permission
from o2c.security.service import audit, get_company
from o2c.security.tables import Company

REQUIRED = (
    "customer_id",
    "invoice_number",
    "issue_date",
    "due_date",
    "currency",
    "amount",
    "open_amount",
)
OPTIONAL = ("po_number",)
CHUNK = 5000
ONE = Decimal(1)


@dataclass(frozen=True)
class ImportResult:
    invoices: int
    credit_notes: int
    open_by_currency: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Row:
    line: int
    customer: str
    number: str
    issue: date
    due: date
    currency: str
    amount: int
    open: int
    po_number: str | None


def import_open_items(uow: UnitOfWork, actor: Actor, source: Path | str) -> ImportResult:
    """Import a CSV of open items; `source` is a file path (Path) or the CSV text itself (str).

    Columns: customer_id (the customer's code), invoice_number, issue_date, due_date
    (YYYY-MM-DD), currency, amount, open_amount (decimal, point as separator), and optionally
    po_number. Raises `InvalidFile` listing every problem and changes nothing if any.
    """
    actor.require(Permission.IMPORT_DATA)
    name = str(source) if isinstance(source, Path) else "<text>"
    text = source.read_text(encoding="utf-8-sig") if isinstance(source, Path) else source
    rows, problems = _parse(text)
    with uow:
        company = get_company(uow, actor.company_id)
        customers = parties.customer_ids(uow, actor.company_id, {r.customer for r in rows})
        rates = _rates(uow, company, rows, problems)
        problems += _against_database(uow, company, rows, customers)
        if problems:
            raise InvalidFile(name, sorted(problems, key=lambda p: (p.line, p.field)))
        result = _insert(uow, actor, company, rows, customers, rates)
        digest = hashlib.sha256(text.encode()).hexdigest()[:40]
        audit(
            uow,
            actor,
            "open_items.import",
            "import",
            digest,
            {"file": name, "invoices": result.invoices, "credit_notes": result.credit_notes},
        )
        uow.publish(
            actor.company_id,
            "open_items.imported",
            {
                "invoices": result.invoices,
                "credit_notes": result.credit_notes,
                "open_by_currency": result.open_by_currency,
            },
        )
        uow.commit()
        return result


def _parse(text: str) -> tuple[list[_Row], list[FileError]]:
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    reader.fieldnames = header
    problems = [FileError(1, col, "missing column") for col in REQUIRED if col not in header]
    problems += [
        FileError(1, col, "unknown column") for col in header if col not in REQUIRED + OPTIONAL
    ]
    if problems:
        return [], problems
    rows: list[_Row] = []
    first_line: dict[str, int] = {}
    for record in reader:
        line = reader.line_num
        row = _row(line, record, problems)
        if row is None:
            continue
        if row.number in first_line:
            problems.append(
                FileError(
                    line,
                    "invoice_number",
                    f"duplicate of line {first_line[row.number]} in the file",
                )
            )
            continue
        first_line[row.number] = line
        rows.append(row)
    if not rows and not problems:
        problems.append(FileError(1, "", "the file has no rows"))
    return rows, problems


def _row(line: int, record: dict[str, str | None], problems: list[FileError]) -> _Row | None:
    """One record checked on its own; None (with its problems recorded) when it is unusable."""
    found: list[FileError] = []
    value = {k: (v or "").strip() for k, v in record.items() if k is not None}
    if None in record:
        found.append(FileError(line, "", "more values than columns"))
    for column in ("customer_id", "invoice_number"):
        if not value[column]:
            found.append(FileError(line, column, "must not be empty"))
    if len(value["invoice_number"]) > 60:
        found.append(FileError(line, "invoice_number", "longer than 60 characters"))
    if len(value.get("po_number", "")) > 60:
        found.append(FileError(line, "po_number", "longer than 60 characters"))
    issue = _date(line, "issue_date", value["issue_date"], found)
    due = _date(line, "due_date", value["due_date"], found)
    if issue and due and due < issue:
        found.append(FileError(line, "due_date", f"{due} is before the issue date {issue}"))
    currency = value["currency"]
    amount = open_amount = None
    if not is_currency(currency):
        found.append(FileError(line, "currency", f"unknown currency {currency!r}"))
    else:
        amount = _amount(line, "amount", value["amount"], currency, found)
        open_amount = _amount(line, "open_amount", value["open_amount"], currency, found)
    if amount is not None and open_amount is not None:
        found += _open_problems(line, amount, open_amount)
    problems += found
    if found or issue is None or due is None or amount is None or open_amount is None:
        return None
    return _Row(
        line,
        value["customer_id"],
        value["invoice_number"],
        issue,
        due,
        currency,
        amount,
        open_amount,
        value.get("po_number") or None,
    )


def _date(line: int, column: str, text: str, found: list[FileError]) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        found.append(FileError(line, column, f"not a date (YYYY-MM-DD): {text!r}"))
        return None


def _amount(line: int, column: str, text: str, currency: str, found: list[FileError]) -> int | None:
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite():
        found.append(FileError(line, column, f"not a decimal amount: {text!r}"))
        return None
    minor = to_minor(value, currency)
    if minor is None:
        found.append(FileError(line, column, f"more decimals than {currency} allows: {text}"))
    return minor


def _open_problems(line: int, amount: int, open_amount: int) -> list[FileError]:
    if amount == 0:
        return [FileError(line, "amount", "must not be zero")]
    if open_amount == 0:
        return [FileError(line, "open_amount", "nothing is open: leave settled items out")]
    if (amount > 0) != (open_amount > 0):
        return [FileError(line, "open_amount", "must have the sign of amount")]
    if abs(open_amount) > abs(amount):
        return [FileError(line, "open_amount", "exceeds the amount")]
    return []


def _rates(
    uow: UnitOfWork, company: Company, rows: Sequence[_Row], problems: list[FileError]
) -> dict[tuple[str, date], Decimal]:
    """The rate of each foreign (currency, issue date), asked once per pair."""
    rates: dict[tuple[str, date], Decimal] = {}
    missing: set[tuple[str, date]] = set()
    for row in rows:
        key = (row.currency, row.issue)
        if row.currency == company.base_currency or key in rates:
            continue
        if key not in missing:
            try:
                rates[key] = rate_on(uow, company.id, row.currency, row.issue)
                continue
            except ValidationFailed:
                missing.add(key)
        problems.append(
            FileError(
                row.line,
                "currency",
                f"no exchange rate for {row.currency} on or before {row.issue}",
            )
        )
    return rates


def _against_database(
    uow: UnitOfWork, company: Company, rows: Sequence[_Row], customers: dict[str, int]
) -> list[FileError]:
    problems = [
        FileError(row.line, "customer_id", f"unknown customer {row.customer!r}")
        for row in rows
        if row.customer not in customers
    ]
    numbers = [row.number for row in rows]
    taken: set[str] = set()
    for start in range(0, len(numbers), CHUNK):
        taken.update(
            uow.session.scalars(
                select(Invoice.number).where(
                    Invoice.company_id == company.id,
                    Invoice.number.in_(numbers[start : start + CHUNK]),
                )
            )
        )
    problems += [
        FileError(row.line, "invoice_number", f"{row.number} is already in the database")
        for row in rows
        if row.number in taken
    ]
    if company.locked_through is not None:
        problems += [
            FileError(
                row.line, "issue_date", f"in a closed period (through {company.locked_through})"
            )
            for row in rows
            if row.issue <= company.locked_through
        ]
    return problems


def _insert(
    uow: UnitOfWork,
    actor: Actor,
    company: Company,
    rows: Sequence[_Row],
    customers: dict[str, int],
    rates: dict[tuple[str, date], Decimal],
) -> ImportResult:
    """Insert in slices of CHUNK rows: one transaction still, but bounded working memory."""
    now = uow.clock.now()
    for start in range(0, len(rows), CHUNK):
        part = rows[start : start + CHUNK]
        invoice_ids = insert_ids(
            uow.session,
            Invoice,
            [_invoice_row(actor, company, r, customers, rates, now) for r in part],
        )
        post_documents(
            uow,
            actor,
            [
                _opening(company, invoice_id, r, customers[r.customer], rates)
                for invoice_id, r in zip(invoice_ids, part, strict=True)
            ],
        )
    kinds = Counter(r.amount > 0 for r in rows)
    totals: Counter[str] = Counter()
    for r in rows:
        totals[r.currency] += r.open
    return ImportResult(kinds[True], kinds[False], dict(totals))


def _kind(row: _Row) -> InvoiceKind:
    return InvoiceKind.INVOICE if row.amount > 0 else InvoiceKind.CREDIT_NOTE


def _invoice_row(
    actor: Actor,
    company: Company,
    r: _Row,
    customers: dict[str, int],
    rates: dict[tuple[str, date], Decimal],
    now: datetime,
) -> dict[str, object]:
    return {
        "company_id": company.id,
        "kind": _kind(r).value,
        "series": None,
        "number": r.number,
        "status": InvoiceStatus.POSTED.value,
        "source": InvoiceSource.IMPORT.value,
        "customer_id": customers[r.customer],
        "currency": r.currency,
        "rate": rates.get((r.currency, r.issue), ONE),
        "issue_date": r.issue,
        "due_date": r.due,
        "payment_term_id": None,
        "po_number": r.po_number,
        "net_minor": abs(r.amount),
        "tax_minor": 0,
        "total_minor": abs(r.amount),
        "discount_minor": 0,
        "charge_minor": 0,
        "created_at": now,
        "created_by": actor.name,
        "posted_at": now,
        "posted_by": actor.name,
    }


def _opening(
    company: Company,
    invoice_id: int,
    r: _Row,
    customer: int,
    rates: dict[tuple[str, date], Decimal],
) -> tuple[EntryDraft, ItemDraft]:
    kind = _kind(r)
    rate = rates.get((r.currency, r.issue), ONE)
    base = to_base(r.open, r.currency, company.base_currency, rate)
    entry = opening_entry(invoice_id, kind, r.number, customer, r.currency, r.open, base, r.issue)
    item = ItemDraft(
        customer_id=customer,
        kind=ItemKind.INVOICE if kind is InvoiceKind.INVOICE else ItemKind.CREDIT_NOTE,
        source_id=invoice_id,
        document_number=r.number,
        currency=r.currency,
        amount=r.open,
        base=base,
        doc_date=r.issue,
        due_date=r.due,
        reference=r.po_number,
    )
    return entry, item
