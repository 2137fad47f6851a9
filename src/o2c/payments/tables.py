"""Storage of payments received and refunds paid out.

A payment's journal entry and its open item on the unapplied-cash account are found in the
ledger by (kind "payment", source id); a refund's likewise by (kind "refund", source id).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, UniqueConstraint
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
