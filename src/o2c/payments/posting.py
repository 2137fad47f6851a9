"""Journal entries of receipts and refunds: pure functions of the documents."""

from __future__ import annotations

from datetime import date

from o2c.ledger.model import AccountRole, EntryDraft, LineDraft


def payment_entry(
    payment_id: int,
    number: str,
    customer_id: int,
    currency: str,
    amount: int,
    base: int,
    on: date,
) -> EntryDraft:
    """Cash received is held as unapplied cash until applied: DR cash / CR unapplied cash."""
    return EntryDraft(
        on,
        "payment",
        payment_id,
        number,
        [
            LineDraft(AccountRole.CASH, amount, currency, base, customer_id, number),
            LineDraft(AccountRole.UNAPPLIED_CASH, -amount, currency, -base, customer_id, number),
        ],
    )


def refund_entry(
    refund_id: int,
    number: str,
    customer_id: int,
    credit_role: AccountRole,
    currency: str,
    amount: int,
    base: int,
    on: date,
) -> EntryDraft:
    """Paying a credit back: DR the account holding the credit (unapplied cash or AR) / CR cash."""
    return EntryDraft(
        on,
        "refund",
        refund_id,
        number,
        [
            LineDraft(credit_role, amount, currency, base, customer_id, number),
            LineDraft(AccountRole.CASH, -amount, currency, -base, customer_id, number),
        ],
    )
