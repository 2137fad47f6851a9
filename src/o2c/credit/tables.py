"""Storage of credit: customer and order holds, the company's rules, scores, limit reviews."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from o2c.db.base import Base, BigIntId, Currency, Id, Minor, company_fk


class CreditHold(Base):
    """A hold and its release; at most one unreleased hold per customer (partial unique)."""

    __tablename__ = "credit_hold"
    __table_args__ = (
        Index(
            "ix_credit_hold_active",
            "company_id",
            "customer_id",
            unique=True,
            sqlite_where=text("released_at IS NULL"),
            postgresql_where=text("released_at IS NULL"),
        ),
        Index("ix_credit_hold_customer", "company_id", "customer_id"),
    )

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    customer_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("customer.id"))
    reason: Mapped[str] = mapped_column(String(300))
    source: Mapped[str] = mapped_column(String(40))  # "manual", "collections:<step>", ...
    placed_at: Mapped[datetime]
    placed_by: Mapped[str] = mapped_column(String(120))
    released_at: Mapped[datetime | None]
    released_by: Mapped[str | None] = mapped_column(String(120))
    release_reason: Mapped[str | None] = mapped_column(String(300))


class CreditPolicyRow(Base):
    """A company's credit rules; a company without a row uses `rules.CreditPolicy()`."""

    __tablename__ = "credit_policy"
    __table_args__ = (UniqueConstraint("company_id"),)

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    customer_limit: Mapped[bool]
    group_limit: Mapped[bool]
    max_days_past_due: Mapped[int | None]
    blocked_classes: Mapped[str] = mapped_column(String(10))  # e.g. "DE"
    broken_promise_days: Mapped[int]
    max_broken_promises: Mapped[int | None]
    auto_release: Mapped[bool]
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(120))


class OrderCreditHold(Base):
    """An order stopped by the credit rules at confirmation or shipment, and its decision.

    `failures` keeps every failing rule with its reason and figures as they were when the
    order stopped. At most one undecided hold per order (partial unique).
    """

    __tablename__ = "order_credit_hold"
    __table_args__ = (
        Index(
            "ix_order_credit_hold_active",
            "company_id",
            "order_id",
            unique=True,
            sqlite_where=text("status = 'held'"),
            postgresql_where=text("status = 'held'"),
        ),
        Index("ix_order_credit_hold_customer", "company_id", "customer_id", "status"),
    )

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    order_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("sales_order.id"))
    order_number: Mapped[str] = mapped_column(String(30))
    customer_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("customer.id"))
    stage: Mapped[str] = mapped_column(String(20))  # rules.Stage
    status: Mapped[str] = mapped_column(String(10))  # held, released, rejected
    failures: Mapped[dict[str, Any]]  # {"failures": [{"rule", "reason", "figures"}]}
    currency: Mapped[Currency]
    order_minor: Mapped[Minor]
    held_at: Mapped[datetime]
    requested_by: Mapped[str] = mapped_column(String(120))
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(120))
    decision_reason: Mapped[str | None] = mapped_column(String(300))


class CreditScore(Base):
    """A customer's latest score, with every factor's value and points (`factors`)."""

    __tablename__ = "credit_score"
    __table_args__ = (UniqueConstraint("company_id", "customer_id"),)

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    customer_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("customer.id"))
    points: Mapped[int]
    risk_class: Mapped[str] = mapped_column(String(1))
    broken_promises: Mapped[int]
    factors: Mapped[dict[str, Any]]  # {"factors": [{"name", "value", "points", ...}]}
    as_of: Mapped[date]
    scored_at: Mapped[datetime]


class CreditLimitReview(Base):
    """A proposed credit limit from a review run, waiting for a credit manager's decision."""

    __tablename__ = "credit_limit_review"
    __table_args__ = (
        Index(
            "ix_credit_limit_review_open",
            "company_id",
            "customer_id",
            unique=True,
            sqlite_where=text("status = 'proposed'"),
            postgresql_where=text("status = 'proposed'"),
        ),
    )

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    customer_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("customer.id"))
    status: Mapped[str] = mapped_column(String(10))  # proposed, accepted, rejected
    currency: Mapped[Currency]
    current_minor: Mapped[Minor]
    proposed_minor: Mapped[Minor]
    exposure_minor: Mapped[Minor]
    points: Mapped[int]
    risk_class: Mapped[str] = mapped_column(String(1))
    reason: Mapped[str] = mapped_column(String(200))
    as_of: Mapped[date]
    proposed_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(120))
    decision_reason: Mapped[str | None] = mapped_column(String(300))
