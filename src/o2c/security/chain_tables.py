"""The hash chains over append-only records (audit trail, posted journal entries and lines).

Kept beside the records rather than in them: sealing appends a link here and never updates
the record, so the records' tables stay append-only and their hot insert paths untouched.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from o2c.db.base import Base, BigIntId, Id


class ChainLink(Base):
    """One sealed record: its place in its company's chain and the hash up to and including it.

    `hash = sha256(previous link's hash || canonical JSON of the record)`, so changing or
    removing any sealed record (or link) breaks every hash after it.
    """

    __tablename__ = "chain_link"
    __table_args__ = (
        UniqueConstraint("company_id", "chain", "seq"),
        UniqueConstraint("chain", "record_id"),
    )

    id: Mapped[Id]
    company_id: Mapped[int] = mapped_column(BigIntId)
    chain: Mapped[str] = mapped_column(String(30))
    seq: Mapped[int] = mapped_column(BigInteger)
    record_id: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))
    sealed_at: Mapped[datetime]


class ChainHead(Base):
    """The last link of a company's chain; sealers lock it, so each chain grows in one line."""

    __tablename__ = "chain_head"
    __table_args__ = (UniqueConstraint("company_id", "chain"),)

    id: Mapped[Id]
    company_id: Mapped[int] = mapped_column(BigIntId)
    chain: Mapped[str] = mapped_column(String(30))
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))
    sealed_at: Mapped[datetime]
