"""Storage of payments received and refunds paid out.

A payment's journal entry and its open item on the unapplied-cash account are found in the
ledger by (kind "payment", source id); a refund's likewise by (kind "refund", source id).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from o2c.db.base import Base, BigIntId, Currency, Id, Minor, company_fk


class Payment(Base):
    """Cash received from a customer, numbered gaplessly ("PAY-2026-000001")."""

    __tablename__ = "payment"
    __table_args__ = (
        UniqueConstraint("company_id", "number"),
        Index("ix_payment_customer", "company_id", "customer_id", "received_on"),
        Index("ix_payment_bank_reference", "company_id", "bank_reference"),
        CheckConstraint("amount_minor > 0", name="positive"),
    )

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    number: Mapped[str] = mapped_column(String(40))
    customer_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("customer.id"))
    method: Mapped[str] = mapped_column(String(10))
    currency: Mapped[Currency]
    amount_minor: Mapped[Minor]
    rate: Mapped[Decimal] = mapped_column(Numeric(18, 10))
    received_on: Mapped[date]
    reference: Mapped[str | None] = mapped_column(String(120))
    bank_reference: Mapped[str | None] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(120))


class Refund(Base):
    """Money paid back against a credit: unapplied cash of a payment, or a credit note."""

    __tablename__ = "refund"
    __table_args__ = (
        UniqueConstraint("company_id", "number"),
        Index("ix_refund_customer", "company_id", "customer_id", "refunded_on"),
        CheckConstraint("amount_minor > 0", name="positive"),
    )

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    number: Mapped[str] = mapped_column(String(40))
    customer_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("customer.id"))
    credit_item_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("open_item.id"), index=True)
    payment_id: Mapped[int | None] = mapped_column(BigIntId, ForeignKey("payment.id"))
    credit_note_id: Mapped[int | None] = mapped_column(BigIntId, ForeignKey("invoice.id"))
    method: Mapped[str] = mapped_column(String(10))
    currency: Mapped[Currency]
    amount_minor: Mapped[Minor]
    rate: Mapped[Decimal] = mapped_column(Numeric(18, 10))
    refunded_on: Mapped[date]
    reference: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(120))
    to_account: Mapped[str | None] = mapped_column(String(60))
    """The account the money was sent to (IBAN, no spaces), when the refund names it."""


class StoredPaymentMethod(Base):
    """A customer's card or mandate held at a gateway, known to us only by its token."""

    __tablename__ = "stored_payment_method"
    __table_args__ = (
        UniqueConstraint("company_id", "provider", "token"),
        Index("ix_stored_payment_method_customer", "company_id", "customer_id"),
    )

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    customer_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("customer.id"))
    provider: Mapped[str] = mapped_column(String(30))
    token: Mapped[str] = mapped_column(String(120))
    method: Mapped[str] = mapped_column(String(10))
    label: Mapped[str] = mapped_column(String(60))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]


class PaymentPlan(Base):
    """Instalments agreed on one invoice (`invoice_id`) or on a customer's open balance."""

    __tablename__ = "payment_plan"
    __table_args__ = (
        Index("ix_payment_plan_customer", "company_id", "customer_id"),
        CheckConstraint("total_minor > 0", name="positive"),
        CheckConstraint("status in ('active', 'completed', 'defaulted')", name="status"),
    )

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    customer_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("customer.id"))
    invoice_id: Mapped[int | None] = mapped_column(BigIntId, ForeignKey("invoice.id"))
    currency: Mapped[Currency]
    total_minor: Mapped[Minor]
    status: Mapped[str] = mapped_column(String(10))
    payment_method_id: Mapped[int | None] = mapped_column(
        BigIntId, ForeignKey("stored_payment_method.id")
    )
    """Set for autopay: instalments are charged to this method when due."""
    retry_days: Mapped[str] = mapped_column(String(60))
    """Days after a decline to try again, comma-separated ("1,3,7"); then the plan defaults."""
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(120))


class PlanInstalment(Base):
    __tablename__ = "plan_instalment"
    __table_args__ = (
        UniqueConstraint("plan_id", "sequence"),
        Index("ix_plan_instalment_due", "company_id", "status", "next_attempt_on"),
        CheckConstraint("amount_minor > 0", name="positive"),
        CheckConstraint("status in ('due', 'paid', 'failed')", name="status"),
    )

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    plan_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("payment_plan.id"))
    sequence: Mapped[int]
    due_on: Mapped[date]
    amount_minor: Mapped[Minor]
    status: Mapped[str] = mapped_column(String(10))
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_on: Mapped[date]
    payment_id: Mapped[int | None] = mapped_column(BigIntId, ForeignKey("payment.id"))


class AutopayAttempt(Base):
    """One charge of an instalment at the gateway; unique per attempt, so a run never repeats."""

    __tablename__ = "autopay_attempt"
    __table_args__ = (UniqueConstraint("instalment_id", "attempt"),)

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    instalment_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("plan_instalment.id"))
    attempt: Mapped[int]
    attempted_on: Mapped[date]
    approved: Mapped[bool]
    gateway_reference: Mapped[str] = mapped_column(String(120))
    decline_code: Mapped[str | None] = mapped_column(String(60))
    created_at: Mapped[datetime]


class GatewayIntent(Base):
    """o2c's record of a payment the customer makes at a processor, and what came of it.

    `allocations` lists the invoices it pays ([{"invoice_id", "amount_minor"}]); the payment
    is received and applied to them when the processor's webhook says the intent succeeded.
    """

    __tablename__ = "gateway_intent"
    __table_args__ = (
        UniqueConstraint("provider", "intent_ref"),
        UniqueConstraint("company_id", "idempotency_key"),
        Index("ix_gateway_intent_customer", "company_id", "customer_id", "created_at"),
        CheckConstraint("amount_minor > 0", name="positive"),
    )

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    customer_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("customer.id"))
    provider: Mapped[str] = mapped_column(String(30))
    intent_ref: Mapped[str] = mapped_column(String(120))
    idempotency_key: Mapped[str] = mapped_column(String(120))
    currency: Mapped[Currency]
    amount_minor: Mapped[Minor]
    allocations: Mapped[list[dict[str, int]]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(30))
    method: Mapped[str | None] = mapped_column(String(10))
    decline_code: Mapped[str | None] = mapped_column(String(60))
    payment_id: Mapped[int | None] = mapped_column(BigIntId, ForeignKey("payment.id"))
    refunded_minor: Mapped[int] = mapped_column(default=0)
    payout_ref: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(120))
    updated_at: Mapped[datetime]


class GatewayPayout(Base):
    """Funds the processor sent to the bank for settled intents; reconciled against the
    bank line that shows them arriving."""

    __tablename__ = "gateway_payout"
    __table_args__ = (UniqueConstraint("provider", "payout_ref"),)

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    provider: Mapped[str] = mapped_column(String(30))
    payout_ref: Mapped[str] = mapped_column(String(120))
    currency: Mapped[Currency]
    amount_minor: Mapped[Minor]
    arrival_date: Mapped[date]
    intent_count: Mapped[int]
    bank_line_id: Mapped[int | None] = mapped_column(BigIntId)
    """The bank line it was reconciled with (cash application's, so no foreign key down here)."""
    reconciled_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class RefundRequest(Base):
    """A refund above the company's approval limit, waiting for a second person.

    It holds everything the refund will be posted with; approving posts it (`refund_id`),
    rejecting leaves the credit untouched.
    """

    __tablename__ = "refund_request"
    __table_args__ = (
        Index("ix_refund_request_status", "company_id", "status"),
        CheckConstraint("amount_minor > 0", name="positive"),
    )

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    customer_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("customer.id"))
    credit_item_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("open_item.id"), index=True)
    method: Mapped[str] = mapped_column(String(10))
    currency: Mapped[Currency]
    amount_minor: Mapped[Minor]
    refund_on: Mapped[date]
    reference: Mapped[str | None] = mapped_column(String(120))
    to_account: Mapped[str | None] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(10))
    requested_by: Mapped[str] = mapped_column(String(120))
    requested_at: Mapped[datetime]
    decided_by: Mapped[str | None] = mapped_column(String(120))
    decided_at: Mapped[datetime | None]
    note: Mapped[str] = mapped_column(String(500), default="")
    refund_id: Mapped[int | None] = mapped_column(BigIntId, ForeignKey("refund.id"))


class RefundSettings(Base):
    """A company's refund approval limit (base currency, minor units); none stored: default."""

    __tablename__ = "refund_settings"
    __table_args__ = (UniqueConstraint("company_id"),)

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    approval_above_minor: Mapped[Minor]
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(120))
