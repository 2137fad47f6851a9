"""The transactional outbox: domain events written in the same transaction as the change.

Webhooks, mail and other side effects read this table after commit, so an event is published
if and only if its change committed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, String, UniqueConstraint
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


class OutboxCursor(Base):
    """How far one consumer (per company) has read the outbox, so consumers read independently.

    Ids are taken when a transaction inserts its event but become visible when it commits,
    so a consumer re-reads past its cursor until events are old enough that no transaction
    could still commit a smaller id (and keeps its own record of what it has handled).
    """

    __tablename__ = "outbox_cursor"
    __table_args__ = (UniqueConstraint("consumer", "company_id"),)

    id: Mapped[Id]
    consumer: Mapped[str] = mapped_column(String(80))
    company_id: Mapped[int] = mapped_column(BigIntId)
    last_event_id: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime]
