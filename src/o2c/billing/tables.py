"""Storage of invoices, credit notes, their lines and taxes, and the number series.

Amounts on an invoice row are positive for both kinds; `kind` says which way they post. A
posted invoice's journal entry and open item are found by (kind, source id) in the ledger,
whose unique key on open items makes that a direct look-up.
`order_id` and `shipment_id` are plain ids, not foreign keys: billing keeps no schema
dependency on the order and shipping tables, whose services it asks instead.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from o2c.db.base import Base, BigIntId, Currency, Id, Minor, company_fk


class Invoice(Base):
    """An invoice or credit note; numbered only when posted, never edited after."""

    __tablename__ = "invoice"
    __table_args__ = (
        UniqueConstraint("company_id", "number"),
        Index("ix_invoice_customer", "company_id", "customer_id", "issue_date"),
        Index("ix_invoice_status", "company_id", "status", "issue_date"),
        Index("ix_invoice_order", "company_id", "order_id"),
        Index("ix_invoice_shipment", "company_id", "shipment_id"),
        Index("ix_invoice_credited", "company_id", "credited_invoice_id"),
        CheckConstraint("kind in ('invoice', 'credit_note')", name="kind"),
        CheckConstraint("status in ('draft', 'posted', 'cancelled')", name="status"),
        CheckConstraint("status <> 'posted' or number is not null", name="numbered"),
    )

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    kind: Mapped[str] = mapped_column(String(12))
    series: Mapped[str | None] = mapped_column(String(10))
    number: Mapped[str | None] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(10))
    source: Mapped[str] = mapped_column(String(10), default="o2c")
    customer_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("customer.id"))
    currency: Mapped[Currency]
    rate: Mapped[Decimal] = mapped_column(Numeric(18, 10))
    issue_date: Mapped[date]
    due_date: Mapped[date]
    payment_term_id: Mapped[int | None] = mapped_column(BigIntId, ForeignKey("payment_term.id"))
    po_number: Mapped[str | None] = mapped_column(String(60))
    order_id: Mapped[int | None] = mapped_column(BigIntId)
    shipment_id: Mapped[int | None] = mapped_column(BigIntId)
    credited_invoice_id: Mapped[int | None] = mapped_column(BigIntId, ForeignKey("invoice.id"))
    net_minor: Mapped[Minor]
    tax_minor: Mapped[Minor]
    total_minor: Mapped[Minor]
    discount_minor: Mapped[Minor] = mapped_column(default=0)
    discount_reason: Mapped[str | None] = mapped_column(String(200))
    charge_minor: Mapped[Minor] = mapped_column(default=0)
    charge_reason: Mapped[str | None] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(120))
    posted_at: Mapped[datetime | None]
    posted_by: Mapped[str | None] = mapped_column(String(120))


class InvoiceLine(Base):
    __tablename__ = "invoice_line"
    __table_args__ = (Index("ix_invoice_line_invoice", "invoice_id", "position"),)

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    invoice_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("invoice.id"))
    position: Mapped[int]
    product_id: Mapped[int | None] = mapped_column(BigIntId, ForeignKey("product.id"))
    description: Mapped[str] = mapped_column(String(300))
    quantity: Mapped[Decimal] = mapped_column(Numeric(14, 4))
    unit_price_minor: Mapped[Minor]
    discount_percent: Mapped[Decimal] = mapped_column(Numeric(7, 4), default=Decimal(0))
    net_minor: Mapped[Minor]
    tax_category: Mapped[str] = mapped_column(String(30))
    tax_percent: Mapped[Decimal] = mapped_column(Numeric(7, 4))
    tax_exemption_reason: Mapped[str | None] = mapped_column(String(200))
    # The order or shipment line billed, or (on a credit note) the invoice line credited.
    source_line_id: Mapped[int | None] = mapped_column(BigIntId)
    credited_line_id: Mapped[int | None] = mapped_column(BigIntId, ForeignKey("invoice_line.id"))


class InvoiceTax(Base):
    """Taxable base and tax per rate, as printed on the invoice and credited to tax payable."""

    __tablename__ = "invoice_tax"
    __table_args__ = (Index("ix_invoice_tax_invoice", "invoice_id"),)

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    invoice_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("invoice.id"))
    category: Mapped[str] = mapped_column(String(30))
    percent: Mapped[Decimal] = mapped_column(Numeric(7, 4))
    exemption_reason: Mapped[str | None] = mapped_column(String(200))
    taxable_minor: Mapped[Minor]
    tax_minor: Mapped[Minor]


class NumberSeries(Base):
    """The next number of one series in one year, locked by whoever posts a document of it."""

    __tablename__ = "number_series"
    __table_args__ = (UniqueConstraint("company_id", "series", "year"),)

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    series: Mapped[str] = mapped_column(String(10))
    year: Mapped[int]
    next_value: Mapped[int]


class Letterhead(Base):
    """How the company presents itself on invoices: address, contact, bank, logo, e-address.

    One row per company. EN 16931 needs the seller's postal address, VAT id and (in Peppol)
    electronic address on every e-invoice, and German rules a contact with a telephone; the
    printed invoice needs the bank account customers pay into.
    """

    __tablename__ = "letterhead"
    __table_args__ = (UniqueConstraint("company_id"),)

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    legal_name: Mapped[str] = mapped_column(String(200))
    street: Mapped[str] = mapped_column(String(200))
    street2: Mapped[str | None] = mapped_column(String(200))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    city: Mapped[str] = mapped_column(String(100))
    country: Mapped[str] = mapped_column(String(2))
    vat_id: Mapped[str | None] = mapped_column(String(40))
    registration: Mapped[str | None] = mapped_column(String(120))
    contact_name: Mapped[str | None] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(200))
    website: Mapped[str | None] = mapped_column(String(200))
    iban: Mapped[str] = mapped_column(String(34))
    bic: Mapped[str | None] = mapped_column(String(11))
    bank_name: Mapped[str | None] = mapped_column(String(120))
    endpoint_scheme: Mapped[str | None] = mapped_column(String(4))
    endpoint_id: Mapped[str | None] = mapped_column(String(120))
    logo_png: Mapped[bytes | None] = mapped_column(LargeBinary)
    footer: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(120))
