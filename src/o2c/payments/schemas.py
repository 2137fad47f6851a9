"""The payments API's documents: receipts, their applications to invoices, and refunds."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field

from o2c.billing.model import to_minor
from o2c.db.deps import MoneyOut
from o2c.db.sensitive import MaskedAccount
from o2c.kernel.currency import is_currency
from o2c.kernel.money import Money
from o2c.payments import model
from o2c.payments.model import AppliedPayment, PaymentMethod, PaymentStatus
from o2c.payments.tables import Payment, Refund


def exact_money(value: MoneyOut) -> MoneyOut:
    """Refuse what `Money` would otherwise round: unknown codes and sub-minor-unit amounts."""
    if not is_currency(value.currency):
        raise ValueError(f"unknown currency {value.currency!r}")
    try:
        amount = Decimal(value.amount)
    except InvalidOperation:
        raise ValueError(f"not a decimal amount: {value.amount!r}") from None
    if not amount.is_finite() or to_minor(amount, value.currency) is None:
        raise ValueError(f"{value.amount} is not an amount of {value.currency}")
    return value


ExactMoney = Annotated[MoneyOut, AfterValidator(exact_money)]


class AllocationCreate(BaseModel):
    invoice_id: int
    amount: ExactMoney

    def allocation(self) -> model.Allocation:
        return model.Allocation(self.invoice_id, self.amount.to_money())


class PaymentCreate(BaseModel):
    """Cash received; with `allocations` it is applied to those invoices at once."""

    customer_id: int
    amount: ExactMoney
    method: PaymentMethod
    received_on: date
    reference: str | None = Field(default=None, max_length=120)
    bank_reference: str | None = Field(default=None, max_length=120)
    allocations: list[AllocationCreate] = []

    def command(self, idempotency_key: str | None) -> model.PaymentCreate:
        return model.PaymentCreate(
            self.customer_id,
            self.amount.to_money(),
            self.method,
            self.received_on,
            self.reference,
            self.bank_reference,
            idempotency_key,
        )


class ApplicationCreate(BaseModel):
    """Allocations of a payment's unapplied cash; `received_on` decides early-payment discounts."""

    allocations: list[AllocationCreate] = Field(min_length=1)
    received_on: date | None = None


class RefundCreate(BaseModel):
    credit_item_id: int
    amount: ExactMoney
    method: PaymentMethod
    on: date
    reference: str | None = Field(default=None, max_length=120)
    to_account: str | None = Field(
        default=None, max_length=60, description="Account (IBAN) the money is sent to"
    )


class ApplicationRead(BaseModel):
    payment_id: int
    application_ids: list[int]
    applied: MoneyOut
    discount: MoneyOut
    written_off: MoneyOut
    unapplied: MoneyOut

    @classmethod
    def of(cls, result: AppliedPayment, currency: str) -> ApplicationRead:
        def money(minor: int) -> MoneyOut:
            return MoneyOut.of(Money.from_minor(minor, currency))

        return cls(
            payment_id=result.payment_id,
            application_ids=list(result.application_ids),
            applied=money(result.applied_minor),
            discount=money(result.discount_minor),
            written_off=money(result.writeoff_minor),
            unapplied=money(result.unapplied_minor),
        )


class PaymentRead(BaseModel):
    id: int
    number: str
    customer_id: int
    method: PaymentMethod
    amount: MoneyOut
    rate: str
    received_on: date
    reference: str | None
    bank_reference: str | None
    status: PaymentStatus
    created_at: datetime
    unapplied: MoneyOut | None = None
    application: ApplicationRead | None = None

    @classmethod
    def of(cls, payment: Payment, unapplied: Money | None = None) -> PaymentRead:
        return cls(
            id=payment.id,
            number=payment.number,
            customer_id=payment.customer_id,
            method=PaymentMethod(payment.method),
            amount=MoneyOut.from_minor(payment.amount_minor, payment.currency),
            rate=str(payment.rate.normalize()),
            received_on=payment.received_on,
            reference=payment.reference,
            bank_reference=payment.bank_reference,
            status=PaymentStatus(payment.status),
            created_at=payment.created_at,
            unapplied=None if unapplied is None else MoneyOut.of(unapplied),
        )


class RefundRead(BaseModel):
    id: int
    number: str
    customer_id: int
    credit_item_id: int
    payment_id: int | None
    credit_note_id: int | None
    method: PaymentMethod
    amount: MoneyOut
    refunded_on: date
    reference: str | None
    to_account: MaskedAccount | None = None

    @classmethod
    def of(cls, refund: Refund) -> RefundRead:
        return cls(
            id=refund.id,
            number=refund.number,
            customer_id=refund.customer_id,
            credit_item_id=refund.credit_item_id,
            payment_id=refund.payment_id,
            credit_note_id=refund.credit_note_id,
            method=PaymentMethod(refund.method),
            amount=MoneyOut.from_minor(refund.amount_minor, refund.currency),
            refunded_on=refund.refunded_on,
            reference=refund.reference,
            to_account=refund.to_account,
        )
