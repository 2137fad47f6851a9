"""Storage of the ledger: accounts, rates, journal entries and lines, open items, settlements.

Journal entries and lines are insert-only; nothing in o2c updates or deletes them. Open items
keep their current open amount as a cache of `amount + Σ settlements`, updated in the same
transaction as each settlement (checked by the property tests).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from o2c.db.base import Base, BigIntId, Currency, Id, Minor, company_fk, ref_fk


class Account(Base):
    __tablename__ = "account"
    __table_args__ = (
        UniqueConstraint("company_id", "code"),
        UniqueConstraint("company_id", "role"),
    )

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(12))
    role: Mapped[str | None] = mapped_column(String(30))


class FxRate(Base):
    """Date-effective rate: `rate` units of base currency for one unit of `currency`."""

    __tablename__ = "fx_rate"
    __table_args__ = (UniqueConstraint("company_id", "currency", "valid_from"),)

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    currency: Mapped[Currency]
    valid_from: Mapped[date]
    rate: Mapped[Decimal] = mapped_column(Numeric(18, 10))


class JournalEntry(Base):
    __tablename__ = "journal_entry"
    __table_args__ = (
        Index("ix_journal_entry_source", "company_id", "source_type", "source_id"),
        Index("ix_journal_entry_date", "company_id", "entry_date"),
    )

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    entry_date: Mapped[date]
    source_type: Mapped[str] = mapped_column(String(30))
    source_id: Mapped[int | None] = mapped_column(BigIntId)
    memo: Mapped[str] = mapped_column(String(200))
    reverses_id: Mapped[int | None] = mapped_column(BigIntId, ForeignKey("journal_entry.id"))
    posted_at: Mapped[datetime]
    posted_by: Mapped[str] = mapped_column(String(120))


class JournalLine(Base):
    __tablename__ = "journal_line"
    __table_args__ = (
        Index("ix_journal_line_entry", "entry_id"),
        Index("ix_journal_line_account", "company_id", "account_id", "entry_date"),
    )

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    entry_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("journal_entry.id"))
    entry_date: Mapped[date]
    account_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("account.id"))
    customer_id: Mapped[int | None] = mapped_column(BigIntId, ForeignKey("customer.id"))
    currency: Mapped[Currency]
    amount_minor: Mapped[Minor]
    base_minor: Mapped[Minor]
    memo: Mapped[str] = mapped_column(String(200), default="")


class OpenItem(Base):
    """One receivable or credit of a customer: an invoice, credit note, payment or refund."""

    __tablename__ = "open_item"
    __table_args__ = (
        UniqueConstraint("company_id", "kind", "source_id"),
        Index("ix_open_item_customer", "company_id", "customer_id", "closed_on"),
        Index("ix_open_item_number", "company_id", "document_number"),
        # Covers aging: the currently open items, and everything aging reads of them.
        Index(
            "ix_open_item_aging",
            "company_id",
            "doc_date",
            "customer_id",
            "currency",
            "due_date",
            "open_minor",
            sqlite_where=text("closed_on IS NULL"),
            postgresql_where=text("closed_on IS NULL"),
        ),
        CheckConstraint("amount_minor <> 0", name="nonzero"),
    )

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    customer_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("customer.id"))
    account_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("account.id"))
    kind: Mapped[str] = mapped_column(String(16))
    source_id: Mapped[int] = mapped_column(BigIntId)
    document_number: Mapped[str] = mapped_column(String(60))
    reference: Mapped[str | None] = mapped_column(String(120))
    currency: Mapped[Currency]
    amount_minor: Mapped[Minor]
    open_minor: Mapped[Minor]
    base_minor: Mapped[Minor]
    open_base_minor: Mapped[Minor]
    doc_date: Mapped[date]
    due_date: Mapped[date]
    discount_date: Mapped[date | None]
    discount_minor: Mapped[int] = mapped_column(default=0)
    entry_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("journal_entry.id"))
    closed_on: Mapped[date | None]


class Application(Base):
    """Settling a debit item against a credit item (or writing one off), with its entry."""

    __tablename__ = "application"
    __table_args__ = (Index("ix_application_customer", "company_id", "customer_id", "applied_on"),)

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    customer_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("customer.id"))
    debit_item_id: Mapped[int | None] = ref_fk("open_item.id", nullable=True)
    credit_item_id: Mapped[int | None] = ref_fk("open_item.id", nullable=True)
    currency: Mapped[Currency]
    amount_minor: Mapped[Minor]
    discount_minor: Mapped[Minor]
    writeoff_minor: Mapped[Minor]
    applied_on: Mapped[date]
    entry_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("journal_entry.id"))
    reverses_id: Mapped[int | None] = mapped_column(BigIntId, ForeignKey("application.id"))
    reversed: Mapped[bool] = mapped_column(default=False)
    memo: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(120))


class Settlement(Base):
    """The change an application makes to one open item, dated, for aging as of any date."""

    __tablename__ = "settlement"
    __table_args__ = (
        Index("ix_settlement_item", "item_id", "settled_on"),
        Index("ix_settlement_date", "company_id", "settled_on"),
    )

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    item_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("open_item.id"))
    application_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("application.id"))
    settled_on: Mapped[date]
    amount_minor: Mapped[Minor]
    base_minor: Mapped[Minor]
