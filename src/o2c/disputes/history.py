"""The history of cases and deductions: one event row per change, written with the change."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from o2c.db.bulk import insert_rows
from o2c.db.uow import UnitOfWork
from o2c.disputes.model import Subject
from o2c.disputes.tables import DisputeEvent
from o2c.security.model import Actor


def record(
    uow: UnitOfWork,
    actor: Actor,
    subject: Subject,
    subject_ids: Sequence[int],
    action: str,
    before: str | None = None,
    after: str | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    """One event per subject (who, when, what, from which state to which); no commit."""
    now = uow.clock.now()
    insert_rows(
        uow.session,
        DisputeEvent,
        [
            {
                "company_id": actor.company_id,
                "subject": subject.value,
                "subject_id": subject_id,
                "at": now,
                "actor": actor.name,
                "action": action,
                "from_status": before,
                "to_status": after,
                "data": data or {},
            }
            for subject_id in subject_ids
        ],
    )


def events_of(
    uow: UnitOfWork, company_id: int, subject: Subject, subject_id: int
) -> list[DisputeEvent]:
    return list(
        uow.session.scalars(
            select(DisputeEvent)
            .where(
                DisputeEvent.company_id == company_id,
                DisputeEvent.subject == subject.value,
                DisputeEvent.subject_id == subject_id,
            )
            .order_by(DisputeEvent.id)
        )
    )
