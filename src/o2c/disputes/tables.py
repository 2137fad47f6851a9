"""Storage of deductions; the invoice item they keep open is referenced by id only."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
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
