"""Companies (the tenants every business row belongs to) and the audit trail."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from o2c.db.base import Base, BigIntId, Currency, Id


class Company(Base):
    """A legal entity keeping its own books; the tenant key of every business table."""

    __tablename__ = "company"

    id: Mapped[Id]
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    base_currency: Mapped[Currency]
    tax_id: Mapped[str | None] = mapped_column(String(40))
    country: Mapped[str | None] = mapped_column(String(2))
    locked_through: Mapped[date | None]
    created_at: Mapped[datetime]


class AuditRecord(Base):
    """Who changed what and when; written by services in the same transaction as the change."""

    __tablename__ = "audit_record"
    __table_args__ = (Index("ix_audit_record_entity", "company_id", "entity", "entity_id"),)

    id: Mapped[Id]
    company_id: Mapped[int] = mapped_column(BigIntId)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(80))
    entity: Mapped[str] = mapped_column(String(60))
    entity_id: Mapped[str] = mapped_column(String(60))
    data: Mapped[dict[str, Any]]
    # The HTTP request (or job) the change came from, as in the server's log lines.
    request_id: Mapped[str | None] = mapped_column(String(128))
