"""Small keyword-default builders for test data, and a readable postings assertion."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from o2c.db.uow import UnitOfWork
from o2c.kernel.money import Money
from o2c.ledger.model import AccountRole, EntryDraft, ItemKind, LineDraft
from o2c.ledger.service import ItemDraft, PostedDocument, post_documents
from o2c.ledger.tables import Account, JournalLine
from o2c.parties.tables import Customer
from o2c.security.model import Actor


def a_customer(
    uow: UnitOfWork,
    actor: Actor,
    code: str = "C1",
    currency: str = "EUR",
    parent_id: int | None = None,
) -> int:
    with uow:
        customer = Customer(
            company_id=actor.company_id,
            code=code,
            name=f"Customer {code}",
            currency=currency,
            attributes={},
            parent_id=parent_id,
            created_at=uow.clock.now(),
        )
        uow.session.add(customer)
        uow.commit()
        return customer.id


_counter = iter(range(1, 10**9))


def an_invoice(
    uow: UnitOfWork,
    actor: Actor,
    customer_id: int,
    amount: str = "100.00",
    currency: str = "EUR",
    on: date = date(2026, 1, 10),
    days: int = 30,
    base: int | None = None,
    number: str | None = None,
) -> PostedDocument:
    """A posted invoice with no tax: DR AR / CR revenue."""
    minor = Money(amount, currency).minor
    base_minor = minor if base is None else base
    source = next(_counter)
    number = number or f"INV-{source:06d}"
    entry = EntryDraft(
        on,
        "invoice",
        source,
        number,
        [
            LineDraft(AccountRole.AR_CONTROL, minor, currency, base_minor, customer_id),
            LineDraft(AccountRole.REVENUE, -minor, currency, -base_minor, customer_id),
        ],
    )
    item = ItemDraft(
        customer_id,
        ItemKind.INVOICE,
        source,
        number,
        currency,
        minor,
        base_minor,
        on,
        on + timedelta(days=days),
    )
    [posted] = post_documents(uow, actor, [(entry, item)])
    return posted


def a_payment(
    uow: UnitOfWork,
    actor: Actor,
    customer_id: int,
    amount: str = "100.00",
    currency: str = "EUR",
    on: date = date(2026, 2, 1),
    base: int | None = None,
) -> PostedDocument:
    """A received payment held as unapplied cash: DR cash / CR unapplied cash."""
    minor = Money(amount, currency).minor
    base_minor = minor if base is None else base
    source = next(_counter)
    number = f"PAY-{source:06d}"
    entry = EntryDraft(
        on,
        "payment",
        source,
        number,
        [
            LineDraft(AccountRole.CASH, minor, currency, base_minor, None),
            LineDraft(AccountRole.UNAPPLIED_CASH, -minor, currency, -base_minor, customer_id),
        ],
    )
    item = ItemDraft(
        customer_id,
        ItemKind.PAYMENT,
        source,
        number,
        currency,
        -minor,
        -base_minor,
        on,
        on,
        role=AccountRole.UNAPPLIED_CASH,
    )
    [posted] = post_documents(uow, actor, [(entry, item)])
    return posted


def postings(uow: UnitOfWork, entry_id: int) -> str:
    """An entry as "DR 1100 100.00 EUR / CR 4000 100.00 EUR", lines in stored order."""
    with uow:
        rows = uow.session.execute(
            select(
                Account.code, JournalLine.amount_minor, JournalLine.currency, JournalLine.base_minor
            )
            .join(Account, Account.id == JournalLine.account_id)
            .where(JournalLine.entry_id == entry_id)
            .order_by(JournalLine.id)
        ).all()
    parts = []
    for code, amount, currency, base in rows:
        side = "DR" if amount > 0 or (amount == 0 and base > 0) else "CR"
        value = Money.from_minor(abs(amount), currency) if amount else f"base {abs(base)}"
        parts.append(f"{side} {code} {value}")
    return " / ".join(parts)


def assert_postings(uow: UnitOfWork, entry_id: int, expected: str) -> None:
    assert postings(uow, entry_id) == expected
