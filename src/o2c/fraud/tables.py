"""Storage of the review queue: one alert per finding, unique by its fingerprint."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from o2c.db.base import Base, BigIntId, Id, company_fk


class FraudAlert(Base):
    """A finding waiting for (or given) a reviewer's decision, with the evidence it was
    raised on; `fingerprint` (rule and rows) keeps the same finding from being raised twice."""

    __tablename__ = "fraud_alert"
    __table_args__ = (
        UniqueConstraint("company_id", "fingerprint"),
        Index("ix_fraud_alert_status", "company_id", "status", "id"),
        CheckConstraint("status in ('open', 'confirmed', 'dismissed')", name="status"),
    )

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    rule: Mapped[str] = mapped_column(String(40))
    severity: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10))
    fingerprint: Mapped[str] = mapped_column(String(300))
    customer_id: Mapped[int | None] = mapped_column(BigIntId, ForeignKey("customer.id"))
    summary: Mapped[str] = mapped_column(String(500))
    evidence: Mapped[dict[str, Any]]
    raised_at: Mapped[datetime]
    reviewer: Mapped[str | None] = mapped_column(String(120))
    reviewed_at: Mapped[datetime | None]
    note: Mapped[str | None] = mapped_column(String(2000))
