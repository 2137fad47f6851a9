"""Refunds: checks and the posting of a refund applied against its credit.

Used by the payment services inside their unit of work; nothing here commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from o2c.billing.numbering import REFUND_SERIES
from o2c.billing.service import take_numbers
from o2c.db.uow import UnitOfWork
from o2c.kernel.errors import FieldError, NotFound, ValidationFailed
from o2c.kernel.money import Money
from o2c.ledger.model import AccountRole, ItemKind, to_base
from o2c.ledger.service import (
    ApplyCommand,
    ItemDraft,
    accounts_by_role,
    apply_items,
    post_documents,
    rate_on,
)
from o2c.ledger.tables import OpenItem
from o2c.payments.applying import lock_items, mark_applied
from o2c.payments.model import PaymentMethod
from o2c.payments.posting import refund_entry
from o2c.payments.tables import Refund
from o2c.security.model import Actor
from o2c.security.service import audit, get_company


def refund_problems(
    credit: OpenItem, amount: Money, method: PaymentMethod, on: date
) -> list[FieldError]:
    errors = []
    if credit.kind not in (ItemKind.PAYMENT.value, ItemKind.CREDIT_NOTE.value):
        errors.append(FieldError("credit_item_id", "only a payment or a credit note is refunded"))
    if amount.currency != credit.currency:
        errors.append(FieldError("amount", f"must be in {credit.currency}"))
    elif not 0 < amount.minor <= -credit.open_minor:
        errors.append(
            FieldError(
                "amount", f"must be positive and at most the open credit {-credit.open_minor}"
            )
        )
    if method not in PaymentMethod.__members__.values():
        errors.append(FieldError("method", f"unknown method {method!r}"))
    if on < credit.doc_date:
        errors.append(FieldError("on", f"before the credit's date {credit.doc_date}"))
    return errors


def refund_rate(
    uow: UnitOfWork, actor: Actor, currency: str, on: date, errors: list[FieldError]
) -> Decimal:
    try:
        return rate_on(uow, actor.company_id, currency, on)
    except ValidationFailed as missing:
        errors += missing.errors
        return Decimal(1)


@dataclass(frozen=True)
class CheckedRefund:
    """A refund that passed its checks: the locked credit, its account's role, the rate."""

    credit: OpenItem
    role: AccountRole
    rate: Decimal


def checked_refund(
    uow: UnitOfWork,
    actor: Actor,
    credit_item_id: int,
    amount: Money,
    method: PaymentMethod,
    on: date,
) -> CheckedRefund:
    """Lock the credit and check the refund against it; ValidationFailed lists every problem."""
    credit = lock_items(uow, actor.company_id, {credit_item_id}).get(credit_item_id)
    if credit is None:
        raise NotFound("open item", credit_item_id)
    errors = refund_problems(credit, amount, method, on)
    roles = {account: role for role, account in accounts_by_role(uow, actor.company_id).items()}
    rate = refund_rate(uow, actor, amount.currency, on, errors)
    if errors:
        raise ValidationFailed(errors)
    return CheckedRefund(credit, roles[credit.account_id], rate)


def normal_account(to_account: str | None) -> str | None:
    """An account number as stored: no spaces, upper case; None when not given."""
    return None if not to_account else "".join(to_account.split()).upper()


def post_refund(
    uow: UnitOfWork,
    actor: Actor,
    credit: OpenItem,
    role: AccountRole,
    amount: Money,
    method: PaymentMethod,
    on: date,
    rate: Decimal,
    reference: str | None,
    to_account: str | None = None,
) -> Refund:
    """Store the refund, post it as a debit on the credit's account and apply it at once."""
    record = _store(uow, actor, credit, amount, method, on, rate, reference)
    record.to_account = normal_account(to_account)
    number = record.number
    base = to_base(
        amount.minor, amount.currency, get_company(uow, actor.company_id).base_currency, rate
    )
    entry = refund_entry(
        record.id, number, credit.customer_id, role, amount.currency, amount.minor, base, on
    )
    item = ItemDraft(
        customer_id=credit.customer_id,
        kind=ItemKind.REFUND,
        source_id=record.id,
        document_number=number,
        currency=amount.currency,
        amount=amount.minor,
        base=base,
        doc_date=on,
        due_date=on,
        role=role,
        reference=reference,
    )
    [posted] = post_documents(uow, actor, [(entry, item)])
    apply_items(
        uow,
        actor,
        [
            ApplyCommand(
                posted.item_id,
                credit.id,
                amount.minor,
                on,
                memo=f"{number} refunds {credit.document_number}",
            )
        ],
    )
    if record.payment_id is not None and credit.open_minor == 0:
        mark_applied(uow, [record.payment_id])
    _announce(uow, actor, record)
    return record


def _store(
    uow: UnitOfWork,
    actor: Actor,
    credit: OpenItem,
    amount: Money,
    method: PaymentMethod,
    on: date,
    rate: Decimal,
    reference: str | None,
) -> Refund:
    [number] = take_numbers(uow, actor.company_id, REFUND_SERIES, on, 1)
    record = Refund(
        company_id=actor.company_id,
        number=number,
        customer_id=credit.customer_id,
        credit_item_id=credit.id,
        payment_id=credit.source_id if credit.kind == ItemKind.PAYMENT.value else None,
        credit_note_id=credit.source_id if credit.kind == ItemKind.CREDIT_NOTE.value else None,
        method=str(method),
        currency=amount.currency,
        amount_minor=amount.minor,
        rate=rate,
        refunded_on=on,
        reference=reference,
        created_at=uow.clock.now(),
        created_by=actor.name,
    )
    uow.session.add(record)
    uow.session.flush()
    return record


def _announce(uow: UnitOfWork, actor: Actor, record: Refund) -> None:
    audit(
        uow,
        actor,
        "refund.issue",
        "refund",
        record.id,
        {"credit_item_id": record.credit_item_id, "amount": record.amount_minor},
    )
    uow.publish(
        actor.company_id,
        "refund.issued",
        {
            "id": record.id,
            "number": record.number,
            "customer_id": record.customer_id,
            "currency": record.currency,
            "amount_minor": record.amount_minor,
        },
    )
