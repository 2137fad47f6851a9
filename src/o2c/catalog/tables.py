"""Storage of products, price lists, tax rates and payment terms."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from o2c.db.base import Base, BigIntId, Currency, Id, Minor, company_fk


class PaymentTerm(Base):
    """Due-date rule: net N days, or end of month + N; optional early-payment discount."""

    __tablename__ = "payment_term"
    __table_args__ = (UniqueConstraint("company_id", "code"),)

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    code: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(120))
    basis: Mapped[str] = mapped_column(String(12))  # "net" or "eom"
    days: Mapped[int]
    discount_days: Mapped[int | None]
    discount_percent: Mapped[Decimal | None] = mapped_column(Numeric(7, 4))


class TaxRate(Base):
    """Rate per tax category (standard, reduced, zero, exempt with its legal reason)."""

    __tablename__ = "tax_rate"
    __table_args__ = (UniqueConstraint("company_id", "category"),)

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    category: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(120))
    percent: Mapped[Decimal] = mapped_column(Numeric(7, 4))
    exemption_reason: Mapped[str | None] = mapped_column(String(200))


class Product(Base):
    __tablename__ = "product"
    __table_args__ = (UniqueConstraint("company_id", "sku"),)

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    sku: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(12))
    currency: Mapped[Currency]
    price_minor: Mapped[Minor]
    tax_category: Mapped[str] = mapped_column(String(30))
    stocked: Mapped[bool] = mapped_column(default=True)
    active: Mapped[bool] = mapped_column(default=True)


class PriceList(Base):
    __tablename__ = "price_list"
    __table_args__ = (UniqueConstraint("company_id", "code"),)

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    code: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(120))
    currency: Mapped[Currency]


class PriceListItem(Base):
    __tablename__ = "price_list_item"
    __table_args__ = (UniqueConstraint("price_list_id", "product_id", "min_quantity"),)

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    price_list_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("price_list.id"))
    product_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("product.id"))
    min_quantity: Mapped[Decimal] = mapped_column(Numeric(14, 4), default=Decimal(0))
    price_minor: Mapped[Minor]
