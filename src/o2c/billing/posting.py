"""Journal entries of invoices, credit notes and imported open items: pure functions.

An invoice debits AR with its total and credits revenue per line (document discount and
charge already spread over the lines) and tax payable per rate; a credit note is the mirror.
Base-currency amounts: the AR total is converted at the invoice rate and the credit side
takes that base total apart with `allocate`, so the entry balances exactly in base currency
too, whatever the rounding of each line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from o2c.billing.model import InvoiceKind
from o2c.kernel.money import allocate
from o2c.ledger.model import AccountRole, EntryDraft, LineDraft, to_base


@dataclass(frozen=True)
class RevenueLine:
    amount_minor: int
    memo: str = ""


@dataclass(frozen=True)
class TaxLine:
    category: str
    percent: Decimal
    tax_minor: int


@dataclass(frozen=True)
class InvoiceDocument:
    """What posting needs of an invoice: amounts are positive, `kind` gives the direction."""

    invoice_id: int
    kind: InvoiceKind
    number: str
    customer_id: int
    currency: str
    base_currency: str
    rate: Decimal
    issue_date: date
    revenue: tuple[RevenueLine, ...]
    taxes: tuple[TaxLine, ...]
    total_minor: int

    @property
    def sign(self) -> int:
        return 1 if self.kind is InvoiceKind.INVOICE else -1

    @property
    def base_total(self) -> int:
        return to_base(self.total_minor, self.currency, self.base_currency, self.rate)


def invoice_entry(invoice: InvoiceDocument) -> EntryDraft:
    """DR AR total / CR revenue per line / CR tax per rate (credit notes: the mirror)."""
    credits: list[tuple[AccountRole, int, str]] = [
        (AccountRole.REVENUE, line.amount_minor, line.memo) for line in invoice.revenue
    ]
    credits += [
        (AccountRole.TAX_PAYABLE, tax.tax_minor, f"{tax.category} {tax.percent.normalize()}%")
        for tax in invoice.taxes
    ]
    if sum(amount for _, amount, _ in credits) != invoice.total_minor:
        raise ValueError(f"{invoice.number}: lines and taxes do not add up to the total")
    if any(amount < 0 for _, amount, _ in credits):
        raise ValueError(f"{invoice.number}: a revenue or tax amount is negative")
    sign, customer = invoice.sign, invoice.customer_id
    base_total = invoice.base_total
    bases = allocate(base_total, [amount for _, amount, _ in credits])
    lines = [
        LineDraft(
            AccountRole.AR_CONTROL,
            sign * invoice.total_minor,
            invoice.currency,
            sign * base_total,
            customer,
            invoice.number,
        )
    ]
    lines += [
        LineDraft(role, -sign * amount, invoice.currency, -sign * base, customer, memo)
        for (role, amount, memo), base in zip(credits, bases, strict=True)
        if amount or base
    ]
    return EntryDraft(
        invoice.issue_date, invoice.kind.value, invoice.invoice_id, invoice.number, lines
    )


def opening_entry(
    invoice_id: int,
    kind: InvoiceKind,
    number: str,
    customer_id: int,
    currency: str,
    open_minor: int,
    base_minor: int,
    issue_date: date,
) -> EntryDraft:
    """An imported open item: DR AR / CR opening balances (signed: a credit note reverses it)."""
    return EntryDraft(
        issue_date,
        kind.value,
        invoice_id,
        f"opening balance {number}",
        [
            LineDraft(
                AccountRole.AR_CONTROL, open_minor, currency, base_minor, customer_id, number
            ),
            LineDraft(
                AccountRole.OPENING_BALANCE, -open_minor, currency, -base_minor, customer_id, number
            ),
        ],
    )
