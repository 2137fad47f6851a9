"""Storage of cash application: statements and their lines, remittances, decisions, lessons.

A bank line is unique per (company, account, bank reference, booking date, amount), so a
statement imported again (or overlapping the previous day's) adds only lines not yet seen.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Float, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from o2c.db.base import Base, BigIntId, Currency, Id, Minor, company_fk


class BankStatement(Base):
    """One account's statement from one imported file (a file may hold several)."""

    __tablename__ = "bank_statement"
    __table_args__ = (UniqueConstraint("company_id", "file_hash", "position"),)

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    file_hash: Mapped[str] = mapped_column(String(64))
    position: Mapped[int]
    file_name: Mapped[str] = mapped_column(String(255))
    format: Mapped[str] = mapped_column(String(20))
    account: Mapped[str] = mapped_column(String(60))
    currency: Mapped[str] = mapped_column(String(3))
    statement_id: Mapped[str] = mapped_column(String(120))
    statement_date: Mapped[date | None]
    imported_at: Mapped[datetime]
    imported_by: Mapped[str] = mapped_column(String(120))


class BankLineRow(Base):
    """One movement on the account and where cash application has got with it."""

    __tablename__ = "bank_line"
    __table_args__ = (
        UniqueConstraint("company_id", "account", "bank_ref", "booking_date", "amount_minor"),
        Index("ix_bank_line_status", "company_id", "status", "id"),
    )

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    statement_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("bank_statement.id"))
    account: Mapped[str] = mapped_column(String(60))
    bank_ref: Mapped[str] = mapped_column(String(120))
    booking_date: Mapped[date | None]
    value_date: Mapped[date | None]
    amount_minor: Mapped[Minor]
    currency: Mapped[Currency]
    counterparty_name: Mapped[str] = mapped_column(String(200), default="")
    counterparty_account: Mapped[str] = mapped_column(String(60), default="")
    counterparty_bic: Mapped[str] = mapped_column(String(11), default="")
    remittance_text: Mapped[str] = mapped_column(String(2000), default="")
    end_to_end_id: Mapped[str] = mapped_column(String(120), default="")
    transaction_code: Mapped[str] = mapped_column(String(40), default="")
    structured_refs: Mapped[list[Any]] = mapped_column(JSON, default=list)
    is_reversal: Mapped[bool] = mapped_column(default=False)
    booked: Mapped[bool] = mapped_column(default=True)
    status: Mapped[str] = mapped_column(String(12))
    customer_id: Mapped[int | None] = mapped_column(BigIntId, ForeignKey("customer.id"))
    payment_id: Mapped[int | None] = mapped_column(BigIntId, ForeignKey("payment.id"))
    confidence: Mapped[float | None] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(String(1000), default="")


class MatchDecisionRow(Base):
    """Every verdict on a line, automatic or a person's: the audit trail of the queue."""

    __tablename__ = "match_decision"
    __table_args__ = (Index("ix_match_decision_line", "company_id", "line_id", "id"),)

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    line_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("bank_line.id"))
    decision: Mapped[dict[str, Any]]
    automatic: Mapped[bool]
    decided_by: Mapped[str] = mapped_column(String(120))
    decided_at: Mapped[datetime]


class RemittanceRow(Base):
    """A remittance advice; linked to its bank line by trace number or by amount and date."""

    __tablename__ = "remittance"
    __table_args__ = (
        UniqueConstraint("company_id", "file_hash", "position"),
        Index("ix_remittance_trace", "company_id", "trace"),
    )

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    file_hash: Mapped[str] = mapped_column(String(64))
    position: Mapped[int]
    source: Mapped[str] = mapped_column(String(20))
    payer: Mapped[str] = mapped_column(String(200))
    payee: Mapped[str] = mapped_column(String(200), default="")
    trace: Mapped[str] = mapped_column(String(120))
    amount_minor: Mapped[Minor]
    currency: Mapped[Currency]
    payment_date: Mapped[date | None]
    line_id: Mapped[int | None] = mapped_column(BigIntId, ForeignKey("bank_line.id"))
    imported_at: Mapped[datetime]


class RemittanceItemRow(Base):
    """One invoice a remittance pays, with the adjustments (reason codes) the payer took."""

    __tablename__ = "remittance_item"

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    remittance_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("remittance.id"), index=True)
    invoice_ref: Mapped[str] = mapped_column(String(120))
    paid_minor: Mapped[Minor]
    invoice_amount_minor: Mapped[int | None] = mapped_column(BigInteger)
    discount_minor: Mapped[int | None] = mapped_column(BigInteger)
    adjustments: Mapped[list[Any]] = mapped_column(JSON, default=list)
    ref_type: Mapped[str] = mapped_column(String(10), default="")
    references: Mapped[list[Any]] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(String(500), default="")


class PayerAlias(Base):
    """A payer name or bank account learned from a person's match (`kind`: name|account)."""

    __tablename__ = "payer_alias"
    __table_args__ = (UniqueConstraint("company_id", "customer_id", "kind", "value"),)

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    customer_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("customer.id"))
    kind: Mapped[str] = mapped_column(String(10))
    value: Mapped[str] = mapped_column(String(200))
    learned_at: Mapped[datetime]


class ReferencePatternRow(Base):
    """How a customer writes our numbers ("BELEG" + serial), learned from a person's match."""

    __tablename__ = "reference_pattern"
    __table_args__ = (UniqueConstraint("company_id", "customer_id", "label", "form"),)

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    customer_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("customer.id"))
    label: Mapped[str] = mapped_column(String(40))
    form: Mapped[str] = mapped_column(String(10))
    learned_at: Mapped[datetime]
