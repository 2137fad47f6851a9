"""Outbound webhooks: companies' subscriptions, one delivery per (subscription, event), and
the log of every attempt.

A delivery row is unique per subscription and outbox event, so an event reaches a
subscriber at most once successfully however often the fan-out runs; the attempt log keeps
what each try got back (status, latency, error) for `o2c webhook deliveries`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from o2c.db.base import Base, BigIntId, Id, company_fk


class WebhookSubscription(Base):
    """Where a company's events of the chosen topics are POSTed, and the key that signs them."""

    __tablename__ = "webhook_subscription"
    __table_args__ = (Index("ix_webhook_subscription_company", "company_id", "active"),)

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    url: Mapped[str] = mapped_column(String(500))
    secret: Mapped[str] = mapped_column(String(128))
    # Topics such as "invoice.posted", "invoice.*" (every invoice event) or "*" (all).
    topics: Mapped[list[str]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(default=True)
    description: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(120))


class WebhookDelivery(Base):
    """One event for one subscription: pending, delivered or dead after the last attempt."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        UniqueConstraint("subscription_id", "event_id"),
        Index("ix_webhook_delivery_due", "company_id", "status", "next_attempt_at"),
    )

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    subscription_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("webhook_subscription.id"))
    event_id: Mapped[int] = mapped_column(BigInteger)
    topic: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(12))
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    last_status_code: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(String(500))
    delivered_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class WebhookAttempt(Base):
    """What one POST of a delivery got back."""

    __tablename__ = "webhook_attempt"
    __table_args__ = (Index("ix_webhook_attempt_delivery", "delivery_id", "attempt"),)

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    delivery_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("webhook_delivery.id"))
    attempt: Mapped[int]
    at: Mapped[datetime]
    status_code: Mapped[int | None]
    latency_ms: Mapped[int]
    error: Mapped[str | None] = mapped_column(String(500))
