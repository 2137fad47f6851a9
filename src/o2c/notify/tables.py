"""The outgoing-mail outbox: mails written in the sender's transaction, delivered after commit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, LargeBinary, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from o2c.db.base import Base, BigIntId, Id, company_fk, ref_fk


class OutgoingMail(Base):
    """One mail and the state of its delivery.

    `next_attempt_at` is when a delivery run may take it (NULL: not waiting, because it is
    being sent, was sent or was given up); `claimed_at` is when a run took it and stays set only
    while that run sends it, so a run that died mid-delivery leaves an old claim behind.
    """

    __tablename__ = "outgoing_mail"
    __table_args__ = (
        # Only mails waiting for delivery have a next attempt, only mails in delivery a claim:
        # both partial indexes stay as small as the queue, however many mails were ever sent.
        Index(
            "ix_outgoing_mail_due",
            "next_attempt_at",
            "id",
            postgresql_where=text("next_attempt_at IS NOT NULL"),
            sqlite_where=text("next_attempt_at IS NOT NULL"),
        ),
        Index(
            "ix_outgoing_mail_claimed",
            "claimed_at",
            postgresql_where=text("claimed_at IS NOT NULL"),
            sqlite_where=text("claimed_at IS NOT NULL"),
        ),
        Index("ix_outgoing_mail_source", "company_id", "source_kind", "source_id"),
        Index("ix_outgoing_mail_customer", "company_id", "customer_id"),
    )

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    customer_id: Mapped[int | None] = ref_fk("customer.id", nullable=True, index=False)
    to_addresses: Mapped[list[str]] = mapped_column(JSON)
    cc_addresses: Mapped[list[str]] = mapped_column(JSON)
    reply_to: Mapped[str | None] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(998))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    source_kind: Mapped[str] = mapped_column(String(40))
    source_id: Mapped[int | None] = mapped_column(BigIntId)
    queued_by: Mapped[str] = mapped_column(String(120))
    queued_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime | None]
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]


class OutgoingMailAttachment(Base):
    __tablename__ = "outgoing_mail_attachment"

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    mail_id: Mapped[int] = mapped_column(
        BigIntId, ForeignKey("outgoing_mail.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    content: Mapped[bytes] = mapped_column(LargeBinary)
