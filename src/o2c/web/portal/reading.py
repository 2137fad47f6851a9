"""What the portal's pages read about the signed-in customer, composed from the domains."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from o2c.billing.model import InvoiceFilter, InvoiceKind, InvoiceStatus
from o2c.billing.service import invoice_items, list_invoices
from o2c.billing.tables import Invoice
from o2c.db.uow import UnitOfWork
from o2c.kernel.money import Money
from o2c.security.model import Actor

MAX_INVOICES = 500


@dataclass(frozen=True)
class InvoiceRow:
    invoice: Invoice
    item_id: int | None
    open_minor: int

    @property
    def total(self) -> Decimal:
        return Money.from_minor(self.invoice.total_minor, self.invoice.currency).amount

    @property
    def open(self) -> Decimal:
        return Money.from_minor(self.open_minor, self.invoice.currency).amount

    def overdue(self, today: date) -> bool:
        return self.open_minor > 0 and self.invoice.due_date < today


def customer_invoices(uow: UnitOfWork, actor: Actor, customer_id: int) -> list[InvoiceRow]:
    """The customer's posted invoices, newest first, with what is still open on each."""
    actor.require_customer_scope(customer_id)
    invoices, _ = list_invoices(
        uow,
        actor,
        InvoiceFilter(
            customer_id=customer_id,
            status=InvoiceStatus.POSTED,
            kind=InvoiceKind.INVOICE,
            limit=MAX_INVOICES,
        ),
    )
    with uow:
        items = invoice_items(uow, actor.company_id, [i.id for i in invoices])
    rows = []
    for invoice in invoices:
        item = items.get(invoice.id)
        rows.append(InvoiceRow(invoice, item.id if item else None, item.open_minor if item else 0))
    return rows


@dataclass(frozen=True)
class Balance:
    currency: str
    open: Decimal
    overdue: Decimal
    open_count: int


def balances(rows: list[InvoiceRow], today: date) -> list[Balance]:
    """What is open and overdue, per currency."""
    by_currency: dict[str, list[InvoiceRow]] = {}
    for row in rows:
        if row.open_minor > 0:
            by_currency.setdefault(row.invoice.currency, []).append(row)
    return [
        Balance(
            currency,
            Money.from_minor(sum(r.open_minor for r in members), currency).amount,
            Money.from_minor(
                sum(r.open_minor for r in members if r.overdue(today)), currency
            ).amount,
            len(members),
        )
        for currency, members in sorted(by_currency.items())
    ]
