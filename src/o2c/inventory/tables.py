"""Storage of warehouses, stock levels (on hand and reserved) and the physical stock moves.

`stock_level` is the current position per product and warehouse, row-locked by every change
so two orders never take the same units; `stock_move` is the append-only history behind it.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from o2c.db.base import Base, BigIntId, Id, company_fk

QUANTITY = Numeric(14, 4)


class Warehouse(Base):
    """A stock location; `allow_negative` lets it ship what it has not booked in yet."""

    __tablename__ = "warehouse"
    __table_args__ = (UniqueConstraint("company_id", "code"),)

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    code: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(120))
    allow_negative: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)


class StockLevel(Base):
    __tablename__ = "stock_level"
    __table_args__ = (
        UniqueConstraint("company_id", "product_id", "warehouse_id"),
        CheckConstraint("reserved >= 0", name="reserved_not_negative"),
    )

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    product_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("product.id"))
    warehouse_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("warehouse.id"))
    on_hand: Mapped[Decimal] = mapped_column(QUANTITY, default=Decimal(0))
    reserved: Mapped[Decimal] = mapped_column(QUANTITY, default=Decimal(0))
    location: Mapped[str | None] = mapped_column(String(30))
    """Where the product lies in the warehouse (aisle, shelf, bin), printed on pick lists."""


class StockMove(Base):
    """One physical movement: receipts and returns add, shipments take, adjustments either."""

    __tablename__ = "stock_move"
    __table_args__ = (
        Index("ix_stock_move_product", "company_id", "product_id", "warehouse_id", "move_date"),
        Index("ix_stock_move_reference", "company_id", "reference"),
    )

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    product_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("product.id"))
    warehouse_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("warehouse.id"))
    kind: Mapped[str] = mapped_column(String(12))
    quantity: Mapped[Decimal] = mapped_column(QUANTITY)
    reason: Mapped[str | None] = mapped_column(String(200))
    reference: Mapped[str | None] = mapped_column(String(120))
    move_date: Mapped[date]
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(120))
