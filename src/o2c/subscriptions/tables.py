"""Storage of plans, subscriptions and the charges billed for them.

`subscription_charge` is the idempotency record of the billing run: one row per subscription,
period start and kind, unique, written in the transaction that posts its invoice. A run that
is repeated (or two that race) can never bill a period twice.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from o2c.db.base import Base, BigIntId, Currency, Id, Minor, company_fk


class SubscriptionPlan(Base):
    __tablename__ = "subscription_plan"
    __table_args__ = (
        UniqueConstraint("company_id", "code"),
        CheckConstraint("interval in ('month', 'quarter', 'year')", name="interval"),
        CheckConstraint("price_minor > 0", name="price_positive"),
    )

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    currency: Mapped[Currency]
    price_minor: Mapped[Minor]
    interval: Mapped[str] = mapped_column(String(10))
    tax_category: Mapped[str] = mapped_column(String(30))
    created_at: Mapped[datetime]


class Subscription(Base):
    """A customer on a plan; `next_start` is the first day not yet billed."""

    __tablename__ = "subscription"
    __table_args__ = (
        Index("ix_subscription_due", "company_id", "status", "next_start"),
        Index("ix_subscription_customer", "company_id", "customer_id"),
        CheckConstraint("status in ('active', 'cancelled')", name="status"),
        CheckConstraint("anchor_day between 1 and 31", name="anchor_day"),
    )

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    customer_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("customer.id"))
    plan_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("subscription_plan.id"))
    status: Mapped[str] = mapped_column(String(10))
    start_date: Mapped[date]
    anchor_day: Mapped[int]
    next_start: Mapped[date]
    ends_on: Mapped[date | None]
    """The first day no longer served, once cancelled."""
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(120))


class SubscriptionCharge(Base):
    """One invoice or credit note billed for a subscription: a period, a change or a cancel."""

    __tablename__ = "subscription_charge"
    __table_args__ = (
        UniqueConstraint("company_id", "subscription_id", "kind", "period_start"),
        CheckConstraint("kind in ('period', 'change', 'cancel')", name="kind"),
    )

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    subscription_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("subscription.id"))
    kind: Mapped[str] = mapped_column(String(10))
    period_start: Mapped[date]
    period_end: Mapped[date]
    plan_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("subscription_plan.id"))
    invoice_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("invoice.id"))
    currency: Mapped[Currency]
    amount_minor: Mapped[Minor]
    """Net, before tax; negative for a credit note."""
    created_at: Mapped[datetime]
