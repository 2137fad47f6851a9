"""Which outbox events were notified: the mail each queued, or why none was."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from o2c.db.base import Base, BigIntId, Id, company_fk


class Notice(Base):
    """One outbox event handled: the mail it queued, or why none was sent (`skipped`).

    Unique per event: two jobs handling the same event at once cannot both queue its mail,
    because the second insert fails and its transaction, mail included, rolls back.
    """

    __tablename__ = "notice"
    __table_args__ = (
        UniqueConstraint("company_id", "event_id"),
        Index("ix_notice_customer", "company_id", "customer_id"),
    )

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    event_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("outbox_event.id"))
    kind: Mapped[str] = mapped_column(String(40))
    customer_id: Mapped[int | None] = mapped_column(BigIntId, ForeignKey("customer.id"))
    mail_id: Mapped[int | None] = mapped_column(BigIntId, ForeignKey("outgoing_mail.id"))
    skipped: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]
