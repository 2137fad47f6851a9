"""Storage of shipments and their lines (which order line, how many, how many invoiced)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from o2c.db.base import Base, BigIntId, Id, company_fk
from o2c.inventory.tables import QUANTITY


class Shipment(Base):
    __tablename__ = "shipment"
    __table_args__ = (
        UniqueConstraint("company_id", "number"),
        Index("ix_shipment_order", "company_id", "order_id"),
        Index("ix_shipment_status", "company_id", "status", "ship_date"),
    )

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    number: Mapped[str] = mapped_column(String(30))
    order_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("sales_order.id"))
    customer_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("customer.id"))
    warehouse_id: Mapped[int | None] = mapped_column(BigIntId, ForeignKey("warehouse.id"))
    status: Mapped[str] = mapped_column(String(12))
    ship_date: Mapped[date | None]
    delivered_on: Mapped[date | None]
    carrier: Mapped[str | None] = mapped_column(String(60))
    tracking: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(120))
    shipped_at: Mapped[datetime | None]

    lines: Mapped[list[ShipmentLine]] = relationship(
        order_by="ShipmentLine.id", lazy="selectin", cascade="all, delete-orphan"
    )


class ShipmentLine(Base):
    __tablename__ = "shipment_line"
    __table_args__ = (
        UniqueConstraint("shipment_id", "order_line_id"),
        Index("ix_shipment_line_order_line", "order_line_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    shipment_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("shipment.id"))
    order_line_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("sales_order_line.id"))
    product_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("product.id"))
    quantity: Mapped[Decimal] = mapped_column(QUANTITY)
    quantity_invoiced: Mapped[Decimal] = mapped_column(QUANTITY, default=Decimal(0))
