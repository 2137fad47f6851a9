"""Schedules: per company and job kind, a cron expression (UTC) that queues the job.

Every worker ticks the schedules; a tick queues, for each enabled schedule whose latest fire
time is past the one it last queued, one job keyed by that fire time. Ticks of several
workers at once queue each period once: the schedule row is locked (SKIP LOCKED) while it is
advanced, and the job's key is unique besides.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from o2c.db.uow import UnitOfWork
from o2c.jobs.model import cron_problem, fire_key, latest_fire
from o2c.jobs.service import enqueue
from o2c.jobs.tables import JobSchedule
from o2c.kernel.errors import FieldError, ValidationFailed
from o2c.security.model import Actor, Permission
from o2c.security.service import audit
from o2c.security.tables import Company


@dataclass(frozen=True)
class ScheduleDefault:
    """A schedule every company gets unless an operator set its own for the kind."""

    kind: str
    cron: str
    payload: dict[str, Any] = field(default_factory=dict)


def install_schedules(uow: UnitOfWork, defaults: Sequence[ScheduleDefault]) -> int:
    """Give every company the default schedules it lacks; never changes one that exists.

    Workers call this on every tick, so a company created while they run gets its
    schedules within a tick. A new schedule counts as fired now, so its first job is for
    its next period: a worker started at noon does not run that morning's 05:00 dunning.
    Returns how many schedules were added.
    """
    with uow:
        now = uow.clock.now()
        pairs = uow.session.execute(select(JobSchedule.company_id, JobSchedule.kind))
        have = {(company_id, kind) for company_id, kind in pairs}
        companies = list(uow.session.scalars(select(Company.id).order_by(Company.id)))
        added = [
            {
                "company_id": company_id,
                "kind": default.kind,
                "cron": default.cron,
                "payload": dict(default.payload),
                "enabled": True,
                "last_fired_at": now,
                "updated_at": now,
            }
            for company_id in companies
            for default in defaults
            if (company_id, default.kind) not in have
        ]
        if added:
            dialect = uow.session.get_bind().dialect.name
            make_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
            uow.session.execute(
                make_insert(JobSchedule).on_conflict_do_nothing(
                    index_elements=["company_id", "kind"]
                ),
                added,
            )
        uow.commit()
        return len(added)


def set_schedule(
    uow: UnitOfWork,
    actor: Actor,
    kind: str,
    cron: str,
    *,
    enabled: bool = True,
    payload: dict[str, Any] | None = None,
) -> JobSchedule:
    """Create or change the company's schedule of `kind` (the caller checks the kind exists)."""
    actor.require(Permission.COMPANY_ADMIN)
    problem = cron_problem(cron)
    if problem is not None:
        raise ValidationFailed([FieldError("cron", problem)])
    with uow:
        now = uow.clock.now()
        schedule = uow.session.scalars(
            select(JobSchedule)
            .where(JobSchedule.company_id == actor.company_id, JobSchedule.kind == kind)
            .with_for_update()
        ).first()
        if schedule is None:
            schedule = JobSchedule(
                company_id=actor.company_id, kind=kind, payload={}, last_fired_at=now
            )
            uow.session.add(schedule)
        schedule.cron = cron
        schedule.enabled = enabled
        if payload is not None:
            schedule.payload = payload
        schedule.updated_at = now
        uow.session.flush()
        audit(
            uow,
            actor,
            "job_schedule.set",
            "job_schedule",
            schedule.id,
            {"kind": kind, "cron": cron, "enabled": enabled},
        )
        uow.commit()
        return schedule


def list_schedules(uow: UnitOfWork, actor: Actor) -> list[JobSchedule]:
    actor.require(Permission.LEDGER_READ)
    with uow:
        return list(
            uow.session.scalars(
                select(JobSchedule)
                .where(JobSchedule.company_id == actor.company_id)
                .order_by(JobSchedule.kind)
            )
        )


def enqueue_due(uow: UnitOfWork, company_id: int | None = None) -> list[int]:
    """Queue the job of every schedule whose next period has begun; returns the new job ids.

    The job's payload is the schedule's plus `as_of` (the fire time's date) and
    `scheduled_for`, so a job run late still works on the day it was meant for.
    """
    with uow:
        now = uow.clock.now()
        due = (
            select(JobSchedule)
            .where(JobSchedule.enabled.is_(True))
            .order_by(JobSchedule.id)
            .with_for_update(skip_locked=True)
        )
        if company_id is not None:
            due = due.where(JobSchedule.company_id == company_id)
        queued = []
        for schedule in uow.session.scalars(due).all():
            fire = latest_fire(schedule.cron, now)
            if schedule.last_fired_at is not None and fire <= schedule.last_fired_at:
                continue
            payload = {
                **schedule.payload,
                "as_of": fire.date().isoformat(),
                "scheduled_for": fire.isoformat(),
            }
            job_id, created = enqueue(
                uow, schedule.company_id, schedule.kind, fire_key(fire), payload
            )
            schedule.last_fired_at = fire
            if created:
                queued.append(job_id)
        uow.commit()
        return queued
