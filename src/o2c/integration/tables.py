"""Storage of EDI trading partners, their control-number counters, and every interchange.

A partner row holds the last interchange, group and set control numbers sent to it; whoever
sends locks the row, takes the next numbers and stores the interchange in the same
transaction, so the numbers are gapless per partner (a rollback gives them back). Every
interchange is kept as sent or received: inbound ones are unique per partner by their ISA13
control number, so a file delivered twice opens one order.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from o2c.db.base import Base, BigIntId, Id, company_fk


class EdiPartner(Base):
    """A customer who trades by EDI, with both interchange addresses and the separators used."""

    __tablename__ = "edi_partner"
    __table_args__ = (
        UniqueConstraint("company_id", "customer_id"),
        UniqueConstraint("company_id", "isa_qualifier", "isa_id"),
        CheckConstraint("usage in ('P', 'T')", name="usage"),
    )

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    customer_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("customer.id"))
    isa_qualifier: Mapped[str] = mapped_column(String(2))
    isa_id: Mapped[str] = mapped_column(String(15))
    gs_id: Mapped[str] = mapped_column(String(15))
    our_qualifier: Mapped[str] = mapped_column(String(2))
    our_id: Mapped[str] = mapped_column(String(15))
    our_gs_id: Mapped[str] = mapped_column(String(15))
    element_separator: Mapped[str] = mapped_column(String(1), default="*")
    component_separator: Mapped[str] = mapped_column(String(1), default=">")
    segment_terminator: Mapped[str] = mapped_column(String(1), default="~")
    usage: Mapped[str] = mapped_column(String(1), default="P")
    last_interchange: Mapped[int] = mapped_column(default=0)
    last_group: Mapped[int] = mapped_column(default=0)
    last_set: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]


class EdiInterchange(Base):
    """One interchange sent or received, verbatim, and the document it carried or created."""

    __tablename__ = "edi_interchange"
    __table_args__ = (
        UniqueConstraint("company_id", "partner_id", "direction", "control_number"),
        Index("ix_edi_interchange_document", "company_id", "document_type", "document_id"),
        CheckConstraint("direction in ('in', 'out')", name="direction"),
    )

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    partner_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("edi_partner.id"))
    direction: Mapped[str] = mapped_column(String(3))
    control_number: Mapped[int]
    document_type: Mapped[str] = mapped_column(String(3))
    """The transaction set: 850, 810, 856 or 997."""
    document_id: Mapped[int | None] = mapped_column(BigIntId)
    """The sales order, invoice or shipment; for a 997, the interchange it acknowledges."""
    reference: Mapped[str] = mapped_column(String(60))
    content_sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(120))


class InboundDocument(Base):
    """An e-document (UBL or CII order or invoice) a customer sent, and the order it opened.

    Unique by content hash, so the same bytes twice find the first order; and by (customer,
    syntax, document id), so a document re-sent with other content is refused, not doubled.
    """

    __tablename__ = "inbound_document"
    __table_args__ = (
        UniqueConstraint("company_id", "content_sha256"),
        UniqueConstraint("company_id", "customer_id", "syntax", "document_id"),
    )

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    customer_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("customer.id"))
    syntax: Mapped[str] = mapped_column(String(12))
    document_id: Mapped[str] = mapped_column(String(120))
    issue_date: Mapped[date | None]
    order_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("sales_order.id"))
    document_total_minor: Mapped[int | None] = mapped_column(BigInteger)
    content_sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime]
    received_by: Mapped[str] = mapped_column(String(120))


class DocumentDelivery(Base):
    """One posted invoice or credit note delivered (or tried) on one channel.

    Unique per document and channel: a delivery run inserts this row before it sends, in the
    same transaction, so a second run (or a concurrent one, which waits on the unique index)
    finds it and sends nothing twice. A failed attempt keeps its reason and is tried again.
    """

    __tablename__ = "document_delivery"
    __table_args__ = (
        UniqueConstraint("company_id", "invoice_id", "channel"),
        CheckConstraint("channel in ('email', 'portal', 'edi', 'peppol')", name="channel"),
        CheckConstraint("status in ('delivered', 'failed')", name="status"),
    )

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    invoice_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("invoice.id"))
    customer_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("customer.id"))
    channel: Mapped[str] = mapped_column(String(10))
    format: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10))
    reference: Mapped[str | None] = mapped_column(String(500))
    """What was sent: the queued mail's id, the dropped file's path, the interchange's id."""
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=1)
    delivered_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(120))
