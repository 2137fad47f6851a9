"""Storage of credit holds: a customer on hold gets no new orders confirmed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from o2c.db.base import Base, BigIntId, Id, company_fk


class CreditHold(Base):
    """A hold and its release; at most one unreleased hold per customer (partial unique)."""

    __tablename__ = "credit_hold"
    __table_args__ = (
        Index(
            "ix_credit_hold_active",
            "company_id",
            "customer_id",
            unique=True,
            sqlite_where=text("released_at IS NULL"),
            postgresql_where=text("released_at IS NULL"),
        ),
        Index("ix_credit_hold_customer", "company_id", "customer_id"),
    )

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    customer_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("customer.id"))
    reason: Mapped[str] = mapped_column(String(300))
    source: Mapped[str] = mapped_column(String(40))  # "manual", "collections:<step>", ...
    placed_at: Mapped[datetime]
    placed_by: Mapped[str] = mapped_column(String(120))
    released_at: Mapped[datetime | None]
    released_by: Mapped[str | None] = mapped_column(String(120))
    release_reason: Mapped[str | None] = mapped_column(String(300))
