"""Payments and refunds as pure values: methods, states, commands and their input rules."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from o2c.billing.model import fingerprint as fingerprint
from o2c.kernel.errors import FieldError
from o2c.kernel.money import Money


class PaymentMethod(StrEnum):
    WIRE = "wire"
    ACH = "ach"
    CARD = "card"
    CHECK = "check"
    CASH = "cash"


class PaymentStatus(StrEnum):
    """`received` while some of the cash is unapplied; `applied` once none is left."""

    RECEIVED = "received"
    APPLIED = "applied"


@dataclass(frozen=True)
class PaymentCreate:
    customer_id: int
    amount: Money
    method: PaymentMethod
    received_on: date
    reference: str | None = None
    bank_reference: str | None = None
    idempotency_key: str | None = None


@dataclass(frozen=True)
class Allocation:
    """Apply `amount` of cash to one invoice (or a debit note: any posted invoice)."""

    invoice_id: int
    amount: Money


@dataclass(frozen=True)
class BatchPayment:
    payment: PaymentCreate
    allocations: Sequence[Allocation] = ()


@dataclass(frozen=True)
class AppliedPayment:
    """What one application run did: the cash it used and what it discounted and wrote off."""

    payment_id: int
    application_ids: tuple[int, ...]
    applied_minor: int
    discount_minor: int
    writeoff_minor: int
    unapplied_minor: int


@dataclass(frozen=True)
class BatchResult:
    payment_id: int
    number: str
    application: AppliedPayment


def check_payment(payment: PaymentCreate, prefix: str = "") -> list[FieldError]:
    errors = []
    if payment.amount.amount <= 0:
        errors.append(FieldError(f"{prefix}amount", "must be positive"))
    if payment.method not in PaymentMethod.__members__.values():
        errors.append(FieldError(f"{prefix}method", f"unknown method {payment.method!r}"))
    return errors


def check_allocations(
    allocations: Sequence[Allocation], currency: str, prefix: str = ""
) -> list[FieldError]:
    """Per-allocation problems visible without the database: sign, currency, repeats."""
    errors = []
    seen: set[int] = set()
    for index, allocation in enumerate(allocations):
        where = f"{prefix}allocations[{index}]"
        if allocation.amount.amount <= 0:
            errors.append(FieldError(f"{where}.amount", "must be positive"))
        if allocation.amount.currency != currency:
            errors.append(
                FieldError(f"{where}.amount", f"is in {allocation.amount.currency}, not {currency}")
            )
        if allocation.invoice_id in seen:
            errors.append(FieldError(f"{where}.invoice_id", "invoice allocated twice"))
        seen.add(allocation.invoice_id)
    return errors
