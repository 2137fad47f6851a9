"""Idempotency keys: a retried command finds the result of its first run instead of repeating it.

The key is stored in the same transaction as the change it guards, with a fingerprint of the
request, so a retry with the same key and body replays and one with another body is refused.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from o2c.db.base import Base, BigIntId, Id
from o2c.kernel.errors import IdempotencyMismatch


class IdempotencyKey(Base):
    __tablename__ = "idempotency_key"
    __table_args__ = (UniqueConstraint("company_id", "scope", "key"),)

    id: Mapped[Id]
    company_id: Mapped[int] = mapped_column(BigIntId)
    scope: Mapped[str] = mapped_column(String(60))
    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))
    result_id: Mapped[int] = mapped_column(BigIntId)
    created_at: Mapped[datetime]


def previous_result(
    session: Session, company_id: int, scope: str, key: str, fingerprint: str
) -> int | None:
    """The id produced by an earlier run with this key, or None on the first run."""
    row = session.execute(
        select(IdempotencyKey.fingerprint, IdempotencyKey.result_id).where(
            IdempotencyKey.company_id == company_id,
            IdempotencyKey.scope == scope,
            IdempotencyKey.key == key,
        )
    ).first()
    if row is None:
        return None
    if row.fingerprint != fingerprint:
        raise IdempotencyMismatch(f"Idempotency-Key {key!r} was used for a different request")
    return int(row.result_id)


def remember_result(
    session: Session,
    company_id: int,
    scope: str,
    key: str,
    fingerprint: str,
    result_id: int,
    now: datetime,
) -> None:
    session.add(
        IdempotencyKey(
            company_id=company_id,
            scope=scope,
            key=key,
            fingerprint=fingerprint,
            result_id=result_id,
            created_at=now,
        )
    )
