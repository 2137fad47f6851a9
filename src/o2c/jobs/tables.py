"""The job queue and the schedules that feed it.

`job` is unique per (company, kind, key): the key names the effect ("dunning as of
2026-03-02"), so enqueuing the same work twice yields one job. Workers claim due rows with
`FOR UPDATE SKIP LOCKED` (PostgreSQL) or under SQLite's single writer lock.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from o2c.db.base import Base, Id, company_fk


class Job(Base):
    __tablename__ = "job"
    __table_args__ = (
        UniqueConstraint("company_id", "kind", "key"),
        Index("ix_job_due", "status", "run_at"),
        Index("ix_job_lease", "status", "locked_until"),
    )

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    kind: Mapped[str] = mapped_column(String(60))
    key: Mapped[str] = mapped_column(String(200))
    payload: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(12))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer)
    run_at: Mapped[datetime]
    """Not before this instant (new jobs: now; retries: after the backoff delay)."""
    locked_by: Mapped[str | None] = mapped_column(String(120))
    locked_until: Mapped[datetime | None]
    """End of the running worker's lease; a later claim takes the job over."""
    created_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict[str, Any] | None]


class JobSchedule(Base):
    """When a company's job of one kind is enqueued: a five-field cron expression in UTC."""

    __tablename__ = "job_schedule"
    __table_args__ = (UniqueConstraint("company_id", "kind"),)

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    kind: Mapped[str] = mapped_column(String(60))
    cron: Mapped[str] = mapped_column(String(120))
    payload: Mapped[dict[str, Any]]
    enabled: Mapped[bool]
    last_fired_at: Mapped[datetime | None]
    """The period last enqueued; the next job is for the next period after it."""
    updated_at: Mapped[datetime]
