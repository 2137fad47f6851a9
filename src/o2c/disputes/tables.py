"""Storage of dispute cases, deductions, their configuration, history and attachments.

Invoices and open items are referenced by id (foreign key by name only); comments,
attachments, events and write-off requests belong to a case or a deduction (`subject`).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from o2c.db.base import Base, BigIntId, Currency, Id, Minor, company_fk


class Deduction(Base):
    """An amount a customer kept back from an invoice, open until someone resolves it."""

    __tablename__ = "deduction"
    __table_args__ = (
        Index("ix_deduction_customer", "company_id", "customer_id", "status"),
        Index("ix_deduction_item", "company_id", "item_id"),
        CheckConstraint("amount_minor > 0", name="positive"),
    )

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    customer_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("customer.id"))
    item_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("open_item.id"))
    currency: Mapped[Currency]
    amount_minor: Mapped[Minor]
    reason_code: Mapped[str] = mapped_column(String(20), default="")
    reason_text: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(12))
    bank_line_ref: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(120))
    reason: Mapped[str] = mapped_column(String(30), default="other", server_default="other")
    rule: Mapped[str] = mapped_column(String(24), default="review", server_default="review")
    agreement_id: Mapped[int | None] = mapped_column(BigIntId, ForeignKey("deduction_agreement.id"))
    owner: Mapped[str] = mapped_column(String(120), default="", server_default="")
    team: Mapped[str] = mapped_column(String(60), default="", server_default="")
    due_date: Mapped[date | None]
    outcome: Mapped[str | None] = mapped_column(String(20))
    settled_minor: Mapped[int | None] = mapped_column(BigInteger)
    document_id: Mapped[int | None] = mapped_column(BigIntId)
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[str | None] = mapped_column(String(120))


class DisputeSettings(Base):
    """A company's deduction tolerance, discount grace and write-off approval limit."""

    __tablename__ = "dispute_settings"
    __table_args__ = (UniqueConstraint("company_id"),)

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    tolerance_minor: Mapped[Minor]
    tolerance_percent: Mapped[Decimal] = mapped_column(Numeric(7, 4))
    discount_grace_days: Mapped[int]
    # Write-offs above this (company base currency, minor units) need a second person.
    approval_above_minor: Mapped[Minor]
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(120))


class DisputeReason(Base):
    """A reason code of one company: its SLA, routing, and the X12 codes mapped to it."""

    __tablename__ = "dispute_reason"
    __table_args__ = (UniqueConstraint("company_id", "code"),)

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    code: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(120))
    sla_days: Mapped[int]
    team: Mapped[str] = mapped_column(String(60))
    owner: Mapped[str] = mapped_column(String(120), default="")
    x12_codes: Mapped[str] = mapped_column(String(120), default="")


class DeductionAgreement(Base):
    """A promotion or allowance a customer may deduct: fixed amount or percent, for a period."""

    __tablename__ = "deduction_agreement"
    __table_args__ = (
        Index("ix_deduction_agreement_customer", "company_id", "customer_id", "valid_to"),
        CheckConstraint("amount_minor >= 0 and percent >= 0", name="not_negative"),
    )

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    customer_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("customer.id"))
    name: Mapped[str] = mapped_column(String(120))
    currency: Mapped[Currency]
    amount_minor: Mapped[Minor]
    percent: Mapped[Decimal] = mapped_column(Numeric(7, 4))
    valid_from: Mapped[date]
    valid_to: Mapped[date]
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(120))


class DisputeCase(Base):
    """A dispute raised on one or more invoices, worked through its states to an outcome."""

    __tablename__ = "dispute_case"
    __table_args__ = (
        Index("ix_dispute_case_customer", "company_id", "customer_id", "status"),
        Index("ix_dispute_case_status", "company_id", "status", "due_date"),
        CheckConstraint("amount_minor > 0", name="positive"),
    )

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    customer_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("customer.id"))
    reason: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(20))
    priority: Mapped[str] = mapped_column(String(10))
    source: Mapped[str] = mapped_column(String(12))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    currency: Mapped[Currency]
    amount_minor: Mapped[Minor]
    owner: Mapped[str] = mapped_column(String(120))
    team: Mapped[str] = mapped_column(String(60))
    opened_on: Mapped[date]
    due_date: Mapped[date]
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(120))
    outcome: Mapped[str | None] = mapped_column(String(20))
    settled_minor: Mapped[int | None] = mapped_column(BigInteger)
    document_id: Mapped[int | None] = mapped_column(BigIntId)
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[str | None] = mapped_column(String(120))


class DisputeLine(Base):
    """The disputed amount on one invoice's open item (and optionally one invoice line)."""

    __tablename__ = "dispute_line"
    __table_args__ = (
        Index("ix_dispute_line_case", "case_id"),
        Index("ix_dispute_line_item", "company_id", "item_id"),
        CheckConstraint("amount_minor > 0", name="positive"),
    )

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    case_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("dispute_case.id"))
    item_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("open_item.id"))
    invoice_id: Mapped[int | None] = mapped_column(BigIntId)
    invoice_line_id: Mapped[int | None] = mapped_column(BigIntId)
    amount_minor: Mapped[Minor]


class DisputeComment(Base):
    """A note on a case or deduction; `to_customer` notes are what the customer is told."""

    __tablename__ = "dispute_comment"
    __table_args__ = (Index("ix_dispute_comment_subject", "company_id", "subject", "subject_id"),)

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    subject: Mapped[str] = mapped_column(String(12))
    subject_id: Mapped[int] = mapped_column(BigIntId)
    author: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    to_customer: Mapped[bool] = mapped_column(default=False)
    at: Mapped[datetime]


class DisputeAttachment(Base):
    """A file kept with a case or deduction (proof of delivery, photos), stored in the row."""

    __tablename__ = "dispute_attachment"
    __table_args__ = (
        Index("ix_dispute_attachment_subject", "company_id", "subject", "subject_id"),
    )

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    subject: Mapped[str] = mapped_column(String(12))
    subject_id: Mapped[int] = mapped_column(BigIntId)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by: Mapped[str] = mapped_column(String(120))
    uploaded_at: Mapped[datetime]


class DisputeEvent(Base):
    """One change of a case or deduction: who, when, what, and from which state to which."""

    __tablename__ = "dispute_event"
    __table_args__ = (Index("ix_dispute_event_subject", "company_id", "subject", "subject_id"),)

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    subject: Mapped[str] = mapped_column(String(12))
    subject_id: Mapped[int] = mapped_column(BigIntId)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    data: Mapped[dict[str, Any]]


class WriteOffRequest(Base):
    """A write-off above the approval limit, waiting for a second person."""

    __tablename__ = "write_off_request"
    __table_args__ = (
        Index("ix_write_off_request_status", "company_id", "status"),
        CheckConstraint("amount_minor > 0", name="positive"),
    )

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    subject: Mapped[str] = mapped_column(String(12))
    subject_id: Mapped[int] = mapped_column(BigIntId)
    currency: Mapped[Currency]
    amount_minor: Mapped[Minor]
    status: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(String(500), default="")
    requested_by: Mapped[str] = mapped_column(String(120))
    requested_at: Mapped[datetime]
    decided_by: Mapped[str | None] = mapped_column(String(120))
    decided_at: Mapped[datetime | None]
