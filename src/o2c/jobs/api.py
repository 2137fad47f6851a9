"""`/jobs`: what the background workers did and are doing, and retrying what failed."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from o2c.db.deps import ActorDep, Page, PageParamsDep, UowDep
from o2c.jobs import scheduling, service
from o2c.jobs.model import JobStatus
from o2c.jobs.schemas import JobRead, ScheduleRead

router = APIRouter(prefix="/jobs", tags=["operations"])


@router.get("", summary="The company's background jobs, newest first")
def get_jobs(
    uow: UowDep,
    actor: ActorDep,
    page: PageParamsDep,
    job_status: Annotated[JobStatus | None, Query(alias="status")] = None,
    kind: Annotated[str | None, Query(max_length=60)] = None,
) -> Page[JobRead]:
    filters = service.JobFilter(job_status, kind, page.limit, page.offset)
    rows, total = service.list_jobs(uow, actor, filters)
    return Page[JobRead].of([JobRead.of(j) for j in rows], total, page)


@router.get("/schedules", summary="When each kind of job is queued (cron, UTC)")
def get_schedules(uow: UowDep, actor: ActorDep) -> list[ScheduleRead]:
    return [ScheduleRead.of(s) for s in scheduling.list_schedules(uow, actor)]


@router.get("/{job_id}")
def get_job(uow: UowDep, actor: ActorDep, job_id: int) -> JobRead:
    return JobRead.of(service.get_job(uow, actor, job_id))


@router.post("/{job_id}/retry", summary="Run a failed job again, now")
def post_retry(uow: UowDep, actor: ActorDep, job_id: int) -> JobRead:
    return JobRead.of(service.retry_job(uow, actor, job_id))
