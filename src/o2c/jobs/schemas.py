"""Jobs and schedules on the wire."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from o2c.jobs.tables import Job, JobSchedule


class JobRead(BaseModel):
    id: int
    kind: str
    key: str
    status: str
    attempts: int
    max_attempts: int
    run_at: datetime
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    locked_by: str | None
    locked_until: datetime | None
    last_error: str | None
    payload: dict[str, Any]
    result: dict[str, Any] | None

    @classmethod
    def of(cls, job: Job) -> JobRead:
        return cls(
            id=job.id,
            kind=job.kind,
            key=job.key,
            status=job.status,
            attempts=job.attempts,
            max_attempts=job.max_attempts,
            run_at=job.run_at,
            created_at=job.created_at,
            started_at=job.started_at,
            finished_at=job.finished_at,
            locked_by=job.locked_by,
            locked_until=job.locked_until,
            last_error=job.last_error,
            payload=job.payload,
            result=job.result,
        )


class ScheduleRead(BaseModel):
    kind: str
    cron: str
    enabled: bool
    payload: dict[str, Any]
    last_fired_at: datetime | None

    @classmethod
    def of(cls, schedule: JobSchedule) -> ScheduleRead:
        return cls(
            kind=schedule.kind,
            cron=schedule.cron,
            enabled=schedule.enabled,
            payload=schedule.payload,
            last_fired_at=schedule.last_fired_at,
        )
