"""Storage of customers, their addresses, contacts and bank accounts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, column, table
from sqlalchemy.orm import Mapped, mapped_column

from o2c.db.base import Base, BigIntId, Currency, Id, company_fk


class Customer(Base):
    """A bill-to party. `code` is the customer's id in the integrator's and users' words."""

    __tablename__ = "customer"
    __table_args__ = (
        UniqueConstraint("company_id", "code"),
        Index("ix_customer_parent", "company_id", "parent_id"),
    )

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    code: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(200))
    currency: Mapped[Currency]
    country: Mapped[str | None] = mapped_column(String(2))
    tax_id: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(8), default="en")
    parent_id: Mapped[int | None] = mapped_column(BigIntId, ForeignKey("customer.id"))
    payment_term_id: Mapped[int | None] = mapped_column(BigIntId, ForeignKey("payment_term.id"))
    price_list_id: Mapped[int | None] = mapped_column(BigIntId, ForeignKey("price_list.id"))
    credit_limit_minor: Mapped[int | None]
    invoice_on: Mapped[str] = mapped_column(String(10), default="shipment")  # or "order"
    attributes: Mapped[dict[str, Any]]
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]


class Address(Base):
    __tablename__ = "address"

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    customer_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("customer.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # "billing" or "shipping"
    line1: Mapped[str] = mapped_column(String(200))
    line2: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(100))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    region: Mapped[str | None] = mapped_column(String(100))
    country: Mapped[str] = mapped_column(String(2))
    is_default: Mapped[bool] = mapped_column(default=True)


class Contact(Base):
    __tablename__ = "contact"

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    customer_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("customer.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    role: Mapped[str] = mapped_column(String(20), default="ar")  # ar, purchasing, other


class CustomerBankAccount(Base):
    __tablename__ = "customer_bank_account"
    __table_args__ = (Index("ix_customer_bank_account_iban", "company_id", "iban"),)

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    customer_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("customer.id"), index=True)
    iban: Mapped[str] = mapped_column(String(40))
    bic: Mapped[str | None] = mapped_column(String(11))
    holder: Mapped[str | None] = mapped_column(String(200))


# Catalog's tables by name only: catalog sits above parties, so parties may not import them,
# yet a customer's payment term and price list are given and shown by code.
payment_term_ref = table("payment_term", column("id"), column("company_id"), column("code"))
price_list_ref = table(
    "price_list", column("id"), column("company_id"), column("code"), column("currency")
)


class CustomerEvent(Base):
    """One entry of a customer's timeline that no other table holds (a mail, a call, a note,
    a collection action): any domain may write them; the timeline reads them beside the
    documents the owning tables keep. `ref` names the source row, e.g. `collection_action:12`."""

    __tablename__ = "customer_event"
    __table_args__ = (Index("ix_customer_event_customer", "company_id", "customer_id", "at"),)

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    customer_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("customer.id"))
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(30))
    summary: Mapped[str] = mapped_column(String(500))
    ref: Mapped[str | None] = mapped_column(String(60))
    actor: Mapped[str] = mapped_column(String(120))


class BankDetailChange(Base):
    """A requested change to a customer's bank accounts, made only when another user approves.

    `kind` is `add` (with iban, bic, holder) or `remove` (with bank_account_id); `status`
    goes pending → approved | rejected.
    """

    __tablename__ = "bank_detail_change"
    __table_args__ = (Index("ix_bank_detail_change_status", "company_id", "status"),)

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    customer_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("customer.id"))
    kind: Mapped[str] = mapped_column(String(10))
    iban: Mapped[str | None] = mapped_column(String(40))
    bic: Mapped[str | None] = mapped_column(String(11))
    holder: Mapped[str | None] = mapped_column(String(200))
    bank_account_id: Mapped[int | None] = mapped_column(BigIntId)
    status: Mapped[str] = mapped_column(String(10))
    requested_by: Mapped[str] = mapped_column(String(120))
    requested_at: Mapped[datetime]
    decided_by: Mapped[str | None] = mapped_column(String(120))
    decided_at: Mapped[datetime | None]
