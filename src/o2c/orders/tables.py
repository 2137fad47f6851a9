"""Storage of sales orders, their lines, and the counters their numbers come from.

A line keeps everything billing needs as it was agreed (description, unit price, discount,
tax category and percent, net and tax), so later catalog changes never alter an order, and
its reserved, shipped and invoiced quantities, from which the order's state follows.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from o2c.db.base import Base, BigIntId, Currency, Id, Minor, company_fk
from o2c.inventory.tables import QUANTITY

PERCENT = Numeric(7, 4)


class SalesOrder(Base):
    __tablename__ = "sales_order"
    __table_args__ = (
        UniqueConstraint("company_id", "number"),
        Index("ix_sales_order_customer", "company_id", "customer_id", "order_date"),
        Index("ix_sales_order_status", "company_id", "status", "order_date"),
    )

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    number: Mapped[str] = mapped_column(String(30))
    customer_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("customer.id"))
    status: Mapped[str] = mapped_column(String(20))
    currency: Mapped[Currency]
    order_date: Mapped[date]
    warehouse_id: Mapped[int | None] = mapped_column(BigIntId, ForeignKey("warehouse.id"))
    price_list_id: Mapped[int | None] = mapped_column(BigIntId, ForeignKey("price_list.id"))
    po_number: Mapped[str | None] = mapped_column(String(60))
    order_discount_percent: Mapped[Decimal] = mapped_column(PERCENT)
    lines_net_minor: Mapped[Minor]
    discount_minor: Mapped[Minor]
    net_minor: Mapped[Minor]
    tax_minor: Mapped[Minor]
    total_minor: Mapped[Minor]
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(120))
    updated_at: Mapped[datetime]
    confirmed_at: Mapped[datetime | None]

    lines: Mapped[list[SalesOrderLine]] = relationship(
        order_by="SalesOrderLine.line_no", lazy="selectin", cascade="all, delete-orphan"
    )


class SalesOrderLine(Base):
    """One product on an order. Amounts in the order's currency, minor units."""

    __tablename__ = "sales_order_line"
    __table_args__ = (
        UniqueConstraint("order_id", "line_no"),
        Index("ix_sales_order_line_product", "company_id", "product_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    order_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("sales_order.id"))
    line_no: Mapped[int]
    product_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("product.id"))
    description: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(12))
    stocked: Mapped[bool]
    quantity: Mapped[Decimal] = mapped_column(QUANTITY)
    unit_price_minor: Mapped[Minor]
    discount_percent: Mapped[Decimal] = mapped_column(PERCENT)
    tax_category: Mapped[str] = mapped_column(String(30))
    tax_percent: Mapped[Decimal] = mapped_column(PERCENT)
    line_net_minor: Mapped[Minor]
    order_discount_minor: Mapped[Minor]
    line_tax_minor: Mapped[Minor]
    quantity_reserved: Mapped[Decimal] = mapped_column(QUANTITY, default=Decimal(0))
    quantity_shipped: Mapped[Decimal] = mapped_column(QUANTITY, default=Decimal(0))
    quantity_invoiced: Mapped[Decimal] = mapped_column(QUANTITY, default=Decimal(0))

    @property
    def taxable_minor(self) -> int:
        """The line net less its share of the order discount: what its tax is computed on."""
        return self.line_net_minor - self.order_discount_minor


class SequenceCounter(Base):
    """The last number given out per company, series ("SO", "SH") and year."""

    __tablename__ = "sequence_counter"
    __table_args__ = (UniqueConstraint("company_id", "series", "year"),)

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    series: Mapped[str] = mapped_column(String(10))
    year: Mapped[int]
    last_value: Mapped[int]
