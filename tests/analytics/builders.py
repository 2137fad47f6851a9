"""The worked example of docs/KPIS.md, built through the ledger's services, and small helpers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from o2c.db.uow import UnitOfWork
from o2c.kernel.money import Money
from o2c.ledger.model import AccountRole, EntryDraft, ItemKind, LineDraft
from o2c.ledger.service import (
    ApplyCommand,
    ItemDraft,
    PostedDocument,
    apply_items,
    post_documents,
    write_off,
)
from o2c.security.model import Actor
from tests.builders import a_customer, a_payment, an_invoice

AS_OF = date(2026, 3, 31)

_numbers = iter(range(900_000, 10**9))


def a_credit_note(
    uow: UnitOfWork,
    actor: Actor,
    customer_id: int,
    amount: str,
    on: date,
    currency: str = "EUR",
) -> PostedDocument:
    """A posted credit note (no tax): DR revenue / CR AR, a negative open item."""
    minor = Money(amount, currency).minor
    source = next(_numbers)
    number = f"CN-{source}"
    entry = EntryDraft(
        on,
        "credit_note",
        source,
        number,
        [
            LineDraft(AccountRole.REVENUE, minor, currency, minor, customer_id),
            LineDraft(AccountRole.AR_CONTROL, -minor, currency, -minor, customer_id),
        ],
    )
    item = ItemDraft(
        customer_id, ItemKind.CREDIT_NOTE, source, number, currency, -minor, -minor, on, on
    )
    [posted] = post_documents(uow, actor, [(entry, item)])
    return posted


def apply(
    uow: UnitOfWork,
    actor: Actor,
    debit: PostedDocument,
    credit: PostedDocument,
    amount: str,
    on: date,
) -> None:
    assert debit.item_id is not None
    assert credit.item_id is not None
    apply_items(
        uow,
        actor,
        [ApplyCommand(debit.item_id, credit.item_id, Money(amount, "EUR").minor, on)],
    )


@dataclass(frozen=True)
class Example:
    customer_id: int
    invoice_a: PostedDocument
    invoice_c: PostedDocument


def worked_example(uow: UnitOfWork, actor: Actor, code: str = "C1") -> Example:
    """docs/KPIS.md, "Worked example": four invoices, a credit note, three payments."""
    customer = a_customer(uow, actor, code)
    a = an_invoice(uow, actor, customer, "1000.00", on=date(2025, 12, 15), days=30)
    paid_a = a_payment(uow, actor, customer, "600.00", on=date(2026, 1, 20))
    apply(uow, actor, a, paid_a, "600.00", date(2026, 1, 20))
    b = an_invoice(uow, actor, customer, "3000.00", on=date(2026, 1, 10), days=30)
    paid_b = a_payment(uow, actor, customer, "3000.00", on=date(2026, 2, 15))
    apply(uow, actor, b, paid_b, "3000.00", date(2026, 2, 15))
    c = an_invoice(uow, actor, customer, "2000.00", on=date(2026, 2, 20), days=30)
    d = an_invoice(uow, actor, customer, "4000.00", on=date(2026, 3, 15), days=30)
    credit = a_credit_note(uow, actor, customer, "500.00", date(2026, 3, 20))
    apply(uow, actor, d, credit, "500.00", date(2026, 3, 20))
    a_payment(uow, actor, customer, "250.00", on=date(2026, 3, 25))
    return Example(customer, a, c)


def later_activity(uow: UnitOfWork, actor: Actor, example: Example) -> None:
    """Business after the example's date: a payment, a new invoice, a write-off."""
    paid_c = a_payment(uow, actor, example.customer_id, "2000.00", on=AS_OF + timedelta(days=5))
    apply(uow, actor, example.invoice_c, paid_c, "2000.00", AS_OF + timedelta(days=5))
    an_invoice(uow, actor, example.customer_id, "700.00", on=AS_OF + timedelta(days=1))
    assert example.invoice_a.item_id is not None
    write_off(uow, actor, example.invoice_a.item_id, 40000, AS_OF + timedelta(days=10))


def paid_history(
    uow: UnitOfWork,
    actor: Actor,
    delays: dict[str, int],
    invoices: int = 15,
    start: date = date(2025, 6, 1),
) -> dict[str, int]:
    """Customers each paying every invoice `delays[code]` (±1) days after its due date.

    An invoice of 100.00 is issued every 7 days per customer, 30 days' terms; posted and
    applied in three set-based service calls. Returns the customers' ids by code.
    """
    customers = {code: a_customer(uow, actor, code) for code in delays}
    documents, plans = [], []
    for code, delay in delays.items():
        for n in range(invoices):
            issued = start + timedelta(days=7 * n)
            paid = issued + timedelta(days=30 + delay + (n % 3) - 1)
            source = next(_numbers)
            documents.append(
                _document(customers[code], ItemKind.INVOICE, source, 10000, issued, 30)
            )
            documents.append(
                _document(customers[code], ItemKind.PAYMENT, source + 1, 10000, paid, 0)
            )
            next(_numbers)
            plans.append(paid)
    posted = post_documents(uow, actor, documents)
    commands = [
        ApplyCommand(posted[2 * k].item_id, posted[2 * k + 1].item_id, 10000, paid)
        for k, paid in enumerate(plans)
        if paid <= AS_OF
    ]
    apply_items(uow, actor, commands)
    return customers


def _document(
    customer_id: int, kind: ItemKind, source: int, minor: int, on: date, days: int
) -> tuple[EntryDraft, ItemDraft]:
    invoice = kind is ItemKind.INVOICE
    signed = minor if invoice else -minor
    debit, credit = (
        (AccountRole.AR_CONTROL, AccountRole.REVENUE)
        if invoice
        else (AccountRole.CASH, AccountRole.UNAPPLIED_CASH)
    )
    entry = EntryDraft(
        on,
        kind.value,
        source,
        f"{kind.value}-{source}",
        [
            LineDraft(debit, minor, "EUR", minor, customer_id if invoice else None),
            LineDraft(credit, -minor, "EUR", -minor, customer_id),
        ],
    )
    item = ItemDraft(
        customer_id,
        kind,
        source,
        f"{kind.value}-{source}",
        "EUR",
        signed,
        signed,
        on,
        on + timedelta(days=days),
        role=AccountRole.AR_CONTROL if invoice else AccountRole.UNAPPLIED_CASH,
    )
    return entry, item
