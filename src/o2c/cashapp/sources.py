"""What the engine is built from, read set-based from storage: customers as payers (with
learned aliases and accounts), open invoices, learned reference patterns, own accounts, and
the stored bank lines and remittances turned back into the parsers' values.

Read helpers for the cash-application services; nothing here commits.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from o2c.cashapp.model import CustomerProfile, OpenInvoice, ReferencePattern
from o2c.cashapp.tables import (
    BankLineRow,
    BankStatement,
    PayerAlias,
    ReferencePatternRow,
    RemittanceItemRow,
    RemittanceRow,
)
from o2c.db.uow import UnitOfWork
from o2c.formats.remittance import Adjustment, Remittance, RemittanceItem
from o2c.formats.statement import BankLine, StructuredRef
from o2c.kernel.currency import minor_units
from o2c.ledger.model import ItemKind
from o2c.ledger.tables import OpenItem
from o2c.parties.tables import Customer, CustomerBankAccount

CHUNK = 500


def decimal_of(minor: int | None, currency: str) -> Decimal:
    return Decimal(minor or 0).scaleb(-minor_units(currency))


def customer_profiles(uow: UnitOfWork, company_id: int) -> list[CustomerProfile]:
    """Every active customer with its bank accounts and the aliases people taught."""
    names: dict[int, list[str]] = defaultdict(list)
    accounts: dict[int, list[str]] = defaultdict(list)
    for customer_id, iban in uow.session.execute(
        select(CustomerBankAccount.customer_id, CustomerBankAccount.iban).where(
            CustomerBankAccount.company_id == company_id
        )
    ):
        accounts[customer_id].append(iban)
    for customer_id, kind, value in uow.session.execute(
        select(PayerAlias.customer_id, PayerAlias.kind, PayerAlias.value)
        .where(PayerAlias.company_id == company_id)
        .order_by(PayerAlias.id)
    ):
        (names if kind == "name" else accounts)[customer_id].append(value)
    rows = uow.session.execute(
        select(Customer.id, Customer.code, Customer.name, Customer.parent_id)
        .where(Customer.company_id == company_id, Customer.active.is_(True))
        .order_by(Customer.id)
    )
    return [
        CustomerProfile(i, code, name, tuple(names[i]), tuple(accounts[i]), parent)
        for i, code, name, parent in rows
    ]


def open_invoices(uow: UnitOfWork, company_id: int) -> list[OpenInvoice]:
    """Every invoice item with something still open, oldest first (amount runs pay those)."""
    rows = uow.session.execute(
        select(
            OpenItem.id,
            OpenItem.customer_id,
            OpenItem.document_number,
            OpenItem.reference,
            OpenItem.currency,
            OpenItem.open_minor,
            OpenItem.due_date,
            OpenItem.discount_date,
            OpenItem.discount_minor,
        )
        .where(
            OpenItem.company_id == company_id,
            OpenItem.kind == ItemKind.INVOICE.value,
            OpenItem.open_minor > 0,
        )
        .order_by(OpenItem.id)
    )
    return list(map(OpenInvoice._make, rows))


def patterns(uow: UnitOfWork, company_id: int) -> list[ReferencePattern]:
    rows = uow.session.execute(
        select(ReferencePatternRow.customer_id, ReferencePatternRow.label, ReferencePatternRow.form)
        .where(ReferencePatternRow.company_id == company_id)
        .order_by(ReferencePatternRow.id)
    )
    return [ReferencePattern(*row) for row in rows]


def own_accounts(uow: UnitOfWork, company_id: int) -> list[str]:
    """The company's own accounts: every account a statement was imported for."""
    return list(
        uow.session.scalars(
            select(BankStatement.account).where(BankStatement.company_id == company_id).distinct()
        )
    )


@dataclass(frozen=True, slots=True)
class StoredLine:
    """A stored bank line's columns, read as a plain row: a match run reads a whole day's
    lines, and an ORM object each (with its change tracking) costs more than the matching."""

    id: int
    bank_ref: str
    booking_date: date | None
    value_date: date | None
    amount_minor: int
    currency: str
    counterparty_name: str
    counterparty_account: str
    counterparty_bic: str
    remittance_text: str
    end_to_end_id: str
    transaction_code: str
    structured_refs: list[Any]
    is_reversal: bool
    booked: bool


_LINE_COLUMNS = tuple(getattr(BankLineRow, field.name) for field in fields(StoredLine))


def stored_lines(
    uow: UnitOfWork, company_id: int, statuses: Sequence[str], booked_by: date | None = None
) -> list[StoredLine]:
    """The company's lines in `statuses` (booked by `booked_by` when given), in import order."""
    query = select(*_LINE_COLUMNS).where(
        BankLineRow.company_id == company_id, BankLineRow.status.in_(statuses)
    )
    if booked_by is not None:
        query = query.where(BankLineRow.booking_date <= booked_by)
    return [StoredLine(*row) for row in uow.session.execute(query.order_by(BankLineRow.id))]


def bank_line(row: StoredLine | BankLineRow) -> BankLine:
    """The stored line as the parser produced it (amount back to a decimal)."""
    return BankLine(
        bank_ref=row.bank_ref,
        booking_date=row.booking_date,
        value_date=row.value_date,
        amount=decimal_of(row.amount_minor, row.currency),
        currency=row.currency,
        counterparty_name=row.counterparty_name,
        counterparty_account=row.counterparty_account,
        counterparty_bic=row.counterparty_bic,
        remittance_text=row.remittance_text,
        structured_refs=tuple(StructuredRef(k, v, ok) for k, v, ok in row.structured_refs),
        end_to_end_id=row.end_to_end_id,
        transaction_code=row.transaction_code,
        is_reversal=row.is_reversal,
        booked=row.booked,
    )


def _remittance(head: RemittanceRow, items: Sequence[RemittanceItemRow]) -> Remittance:
    code = head.currency

    def amount(value: str | None) -> Decimal | None:
        return Decimal(value) if value is not None else None

    return Remittance(
        payer=head.payer,
        trace=head.trace,
        payment_amount=decimal_of(head.amount_minor, code),
        payment_date=head.payment_date,
        currency=code,
        items=tuple(
            RemittanceItem(
                invoice_ref=i.invoice_ref,
                paid=decimal_of(i.paid_minor, code),
                invoice_amount=(
                    None
                    if i.invoice_amount_minor is None
                    else decimal_of(i.invoice_amount_minor, code)
                ),
                discount=None if i.discount_minor is None else decimal_of(i.discount_minor, code),
                adjustments=tuple(Adjustment(amount(a), c, t) for a, c, t in i.adjustments),
                ref_type=i.ref_type,
                references=tuple((k, v) for k, v in i.references),
                note=i.note,
            )
            for i in items
        ),
        payee=head.payee,
        source=head.source,
    )


def _paid_on(row: StoredLine) -> date | None:
    return row.value_date or row.booking_date


def link_remittances(
    uow: UnitOfWork, company_id: int, lines: Iterable[StoredLine]
) -> dict[int, Remittance]:
    """The advice for each line (by line id): already linked, by trace number (the bank
    reference or end-to-end id), or else by equal amount and date when only one line fits.
    New links are stored on the remittance."""
    heads = list(
        uow.session.scalars(
            select(RemittanceRow)
            .where(RemittanceRow.company_id == company_id)
            .order_by(RemittanceRow.id)
        )
    )
    if not heads:
        return {}
    pending = list(lines)
    by_trace: dict[str, list[StoredLine]] = defaultdict(list)
    by_amount: dict[tuple[int, str, date | None], list[StoredLine]] = defaultdict(list)
    for row in pending:
        for trace in {row.bank_ref, row.end_to_end_id} - {""}:
            by_trace[trace].append(row)
        by_amount[(row.amount_minor, row.currency, _paid_on(row))].append(row)
    ids = {row.id for row in pending}
    linked: dict[int, RemittanceRow] = {}
    for head in heads:
        if head.line_id is not None:
            if head.line_id in ids:
                linked[head.line_id] = head
            continue
        fits = by_trace.get(head.trace) or []
        if len(fits) != 1:
            fits = by_amount.get((head.amount_minor, head.currency, head.payment_date)) or []
        if len(fits) == 1 and fits[0].id not in linked:
            head.line_id = fits[0].id
            linked[fits[0].id] = head
    items: dict[int, list[RemittanceItemRow]] = defaultdict(list)
    remittance_ids = sorted(h.id for h in linked.values())
    for start in range(0, len(remittance_ids), CHUNK):
        for item in uow.session.scalars(
            select(RemittanceItemRow)
            .where(RemittanceItemRow.remittance_id.in_(remittance_ids[start : start + CHUNK]))
            .order_by(RemittanceItemRow.id)
        ):
            items[item.remittance_id].append(item)
    return {line_id: _remittance(head, items[head.id]) for line_id, head in linked.items()}
