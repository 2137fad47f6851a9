"""Storage of return authorisations (RMA) and their lines (which order line, how many)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from o2c.db.base import Base, BigIntId, Id, company_fk
from o2c.inventory.tables import QUANTITY


class ReturnAuthorization(Base):
    """One RMA; `warehouse_id` is where restocked goods went, `credit_note_ids` what credited it."""

    __tablename__ = "return_authorization"
    __table_args__ = (
        UniqueConstraint("company_id", "number"),
        Index("ix_return_authorization_order", "company_id", "order_id"),
        Index("ix_return_authorization_status", "company_id", "status"),
    )

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    number: Mapped[str] = mapped_column(String(30))
    order_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("sales_order.id"))
    customer_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("customer.id"))
    status: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str] = mapped_column(String(200))
    disposition: Mapped[str | None] = mapped_column(String(12))
    warehouse_id: Mapped[int | None] = mapped_column(BigIntId, ForeignKey("warehouse.id"))
    received_on: Mapped[date | None]
    credit_note_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(120))
    updated_at: Mapped[datetime]

    lines: Mapped[list[ReturnLine]] = relationship(
        order_by="ReturnLine.id", lazy="selectin", cascade="all, delete-orphan"
    )


class ReturnLine(Base):
    __tablename__ = "return_line"
    __table_args__ = (
        UniqueConstraint("return_id", "order_line_id"),
        Index("ix_return_line_order_line", "order_line_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    return_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("return_authorization.id"))
    order_line_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("sales_order_line.id"))
    product_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("product.id"))
    stocked: Mapped[bool]
    quantity: Mapped[Decimal] = mapped_column(QUANTITY)
