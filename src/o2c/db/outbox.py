"""The transactional outbox: domain events written in the same transaction as the change.

Webhooks, mail and other side effects read this table after commit, so an event is published
if and only if its change committed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from o2c.db.base import Base, BigIntId, Id


class OutboxEvent(Base):
    __tablename__ = "outbox_event"
    __table_args__ = (Index("ix_outbox_event_pending", "published_at", "id"),)

    id: Mapped[Id]
    company_id: Mapped[int] = mapped_column(BigIntId)
    topic: Mapped[str] = mapped_column(String(80))
    payload: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    published_at: Mapped[datetime | None]
