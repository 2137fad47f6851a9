"""The job queue's use cases: enqueue by key, claim with a lease, finish, retry, list.

Exactly-once effects rest on two things. A job's key names its effect, and the table is
unique per (company, kind, key), so the same work is never queued twice. A claimed job is
held under a lease that the worker extends while it runs (`extend_lease`); every later write
about the job must match the claim's (worker, attempt) fencing token, so when a worker dies
and another takes the job over after the lease, the first can no longer finish it. The
effects themselves are idempotent services (a dunning run per day, a billing run per
period), so a job recovered after a crash repeats nothing that had committed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult, Result

from o2c.db.uow import UnitOfWork
from o2c.jobs.model import DEFAULT_ATTEMPTS, ClaimedJob, JobStatus, retry_delay
from o2c.jobs.tables import Job
from o2c.kernel.errors import FieldError, InvalidTransition, NotFound, ValidationFailed
from o2c.security.model import Actor, Permission
from o2c.security.service import audit

ERROR_LIMIT = 4000


def _changed(result: Result[Any]) -> int:
    """Rows an UPDATE or DELETE touched (0 means the fencing token no longer matched)."""
    assert isinstance(result, CursorResult)
    return int(result.rowcount)


def enqueue(
    uow: UnitOfWork,
    company_id: int,
    kind: str,
    key: str,
    payload: dict[str, Any] | None = None,
    *,
    run_at: datetime | None = None,
    max_attempts: int = DEFAULT_ATTEMPTS,
) -> tuple[int, bool]:
    """Queue the job `kind` for `key` unless it exists; returns (job id, newly queued).

    Runs in the caller's transaction when nested (the scheduler queues with its schedule
    update; cash application queues matching after an import). Racing enqueuers of one key
    both get the one row: the insert does nothing on the unique key.
    """
    if not 0 < max_attempts <= 100:
        raise ValidationFailed([FieldError("max_attempts", "between 1 and 100")])
    with uow:
        now = uow.clock.now()
        dialect = uow.session.get_bind().dialect.name
        make_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        created = uow.session.execute(
            make_insert(Job)
            .values(
                company_id=company_id,
                kind=kind,
                key=key[:200],
                payload=payload or {},
                status=JobStatus.QUEUED.value,
                attempts=0,
                max_attempts=max_attempts,
                run_at=run_at or now,
                created_at=now,
            )
            .on_conflict_do_nothing(index_elements=["company_id", "kind", "key"])
            .returning(Job.id)
        ).scalar_one_or_none()
        job_id = created or uow.session.scalar(
            select(Job.id).where(Job.company_id == company_id, Job.kind == kind, Job.key == key)
        )
        assert job_id is not None
        uow.commit()
        return int(job_id), created is not None


def claim(
    uow: UnitOfWork, worker: str, lease: timedelta, kinds: Sequence[str] | None = None
) -> ClaimedJob | None:
    """Take the next due job for `worker` and commit the claim, or None when nothing is due.

    Due are queued jobs whose time has come and running jobs whose lease ran out (their
    worker died or hung): those are taken over as a new attempt. On PostgreSQL the row is
    locked with SKIP LOCKED, so concurrent workers each take a different job without
    waiting; SQLite's immediate transactions serialise the claim instead.
    """
    with uow:
        now = uow.clock.now()
        _fail_exhausted_leases(uow, now)
        due = (
            select(Job)
            .where(
                or_(
                    and_(Job.status == JobStatus.QUEUED.value, Job.run_at <= now),
                    and_(Job.status == JobStatus.RUNNING.value, Job.locked_until < now),
                )
            )
            .order_by(Job.run_at, Job.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        if kinds is not None:
            due = due.where(Job.kind.in_(list(kinds)))
        job = uow.session.scalars(due).first()
        if job is None:
            uow.commit()  # keeps the exhausted leases failed above
            return None
        if job.status == JobStatus.RUNNING.value:
            job.last_error = f"interrupted: lease of {job.locked_by} ran out at {job.locked_until}"
        job.status = JobStatus.RUNNING.value
        job.attempts += 1
        job.locked_by = worker[:120]
        job.locked_until = now + lease
        job.started_at = now
        claimed = ClaimedJob(
            job.id,
            job.company_id,
            job.kind,
            job.key,
            dict(job.payload),
            job.attempts,
            job.max_attempts,
            job.locked_by,
        )
        uow.commit()
        return claimed


def _fail_exhausted_leases(uow: UnitOfWork, now: datetime) -> None:
    """A job whose worker died on its last attempt is failed, not run once more."""
    uow.session.execute(
        update(Job)
        .where(
            Job.status == JobStatus.RUNNING.value,
            Job.locked_until < now,
            Job.attempts >= Job.max_attempts,
        )
        .values(
            status=JobStatus.FAILED.value,
            locked_by=None,
            locked_until=None,
            finished_at=now,
            last_error="interrupted: the worker stopped during the last attempt",
        )
    )


def _held(job: ClaimedJob) -> Any:
    return and_(
        Job.id == job.id,
        Job.status == JobStatus.RUNNING.value,
        Job.locked_by == job.worker,
        Job.attempts == job.attempt,
    )


def extend_lease(uow: UnitOfWork, job: ClaimedJob, lease: timedelta) -> bool:
    """Push the lease of a running job forward; False when the job was taken over."""
    with uow:
        extended = _changed(
            uow.session.execute(
                update(Job).where(_held(job)).values(locked_until=uow.clock.now() + lease)
            )
        )
        uow.commit()
        return bool(extended)


def succeed(uow: UnitOfWork, job: ClaimedJob, result: dict[str, Any] | None) -> bool:
    """Record the job done; False when this worker no longer held it (its lease ran out)."""
    with uow:
        now = uow.clock.now()
        done = _changed(
            uow.session.execute(
                update(Job)
                .where(_held(job))
                .values(
                    status=JobStatus.SUCCEEDED.value,
                    locked_by=None,
                    locked_until=None,
                    finished_at=now,
                    result=result,
                )
            )
        )
        uow.commit()
        return bool(done)


@dataclass(frozen=True)
class Failure:
    status: JobStatus | None
    """QUEUED (to be retried), FAILED (for good), or None when the job was no longer held."""
    retry_at: datetime | None


def fail(uow: UnitOfWork, job: ClaimedJob, error: str, *, permanent: bool) -> Failure:
    """Record a failed attempt: queued again after the backoff delay while attempts remain
    and the error is temporary, otherwise failed until an operator retries it."""
    with uow:
        now = uow.clock.now()
        retry = not permanent and job.attempt < job.max_attempts
        retry_at = now + retry_delay(job.attempt) if retry else None
        status = JobStatus.QUEUED if retry else JobStatus.FAILED
        changed = _changed(
            uow.session.execute(
                update(Job)
                .where(_held(job))
                .values(
                    status=status.value,
                    locked_by=None,
                    locked_until=None,
                    run_at=retry_at or Job.run_at,
                    finished_at=None if retry else now,
                    last_error=error[:ERROR_LIMIT],
                )
            )
        )
        uow.commit()
        return Failure(status if changed else None, retry_at if changed else None)


@dataclass(frozen=True)
class JobFilter:
    status: JobStatus | None = None
    kind: str | None = None
    limit: int = 50
    offset: int = 0


def list_jobs(uow: UnitOfWork, actor: Actor, filters: JobFilter) -> tuple[list[Job], int]:
    """The company's jobs, newest first, with the total for paging."""
    actor.require(Permission.LEDGER_READ)
    with uow:
        where = [Job.company_id == actor.company_id]
        if filters.status is not None:
            where.append(Job.status == filters.status.value)
        if filters.kind is not None:
            where.append(Job.kind == filters.kind)
        total = uow.session.scalar(select(func.count()).select_from(Job).where(*where))
        rows = uow.session.scalars(
            select(Job)
            .where(*where)
            .order_by(Job.created_at.desc(), Job.id.desc())
            .limit(filters.limit)
            .offset(filters.offset)
        ).all()
        return list(rows), int(total or 0)


def get_job(uow: UnitOfWork, actor: Actor, job_id: int) -> Job:
    actor.require(Permission.LEDGER_READ)
    with uow:
        job = uow.session.get(Job, job_id)
        if job is None or job.company_id != actor.company_id:
            raise NotFound("job", job_id)
        return job


def retry_job(uow: UnitOfWork, actor: Actor, job_id: int) -> Job:
    """Queue a failed job (or a retry still waiting for its delay) to run now.

    A failed job gets one more attempt: an operator retries after fixing the cause, and a
    job that still fails is back in the failed list rather than retried in the background.
    """
    actor.require(Permission.COMPANY_ADMIN)
    with uow:
        job = uow.session.scalars(
            select(Job)
            .where(Job.id == job_id, Job.company_id == actor.company_id)
            .with_for_update()
        ).first()
        if job is None:
            raise NotFound("job", job_id)
        if job.status not in (JobStatus.FAILED.value, JobStatus.QUEUED.value):
            raise InvalidTransition(f"job {job_id} is {job.status}; only failed or queued jobs")
        previous = job.status
        job.status = JobStatus.QUEUED.value
        job.run_at = uow.clock.now()
        job.finished_at = None
        job.max_attempts = max(job.max_attempts, job.attempts + 1)
        audit(uow, actor, "job.retry", "job", job.id, {"kind": job.kind, "was": previous})
        uow.commit()
        return job


def prune_finished(uow: UnitOfWork, before: datetime) -> int:
    """Delete succeeded jobs finished before `before` (failed ones stay until handled).

    Keys of pruned jobs can be queued again; schedules never reach that far back, since a
    schedule only ever queues the period after the one it last queued.
    """
    with uow:
        deleted = _changed(
            uow.session.execute(
                delete(Job).where(Job.status == JobStatus.SUCCEEDED.value, Job.finished_at < before)
            )
        )
        uow.commit()
        return int(deleted)


@dataclass(frozen=True)
class QueueDepth:
    kind: str
    status: str
    count: int
    oldest_due: datetime | None


def queue_depth(uow: UnitOfWork) -> list[QueueDepth]:
    """Jobs per kind and unfinished status over every company (for metrics)."""
    with uow:
        rows = uow.session.execute(
            select(Job.kind, Job.status, func.count(), func.min(Job.run_at))
            .where(Job.status.in_([s.value for s in (JobStatus.QUEUED, JobStatus.RUNNING)]))
            .group_by(Job.kind, Job.status)
        ).all()
        failed = uow.session.execute(
            select(Job.kind, func.count())
            .where(Job.status == JobStatus.FAILED.value)
            .group_by(Job.kind)
        ).all()
    depth = [QueueDepth(kind, status, int(n), oldest) for kind, status, n, oldest in rows]
    return depth + [QueueDepth(kind, JobStatus.FAILED.value, int(n), None) for kind, n in failed]
