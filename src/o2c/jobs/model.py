"""What a job is and how the queue treats it: states, retry delays, leases and schedules.

Pure rules, no storage: the service applies them to the `job` and `job_schedule` tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from cronsim import CronSim, CronSimError

from o2c.kernel.errors import Conflict, O2CError


class JobStatus(StrEnum):
    QUEUED = "queued"
    """Waiting for `run_at` (new, or retrying after a failed attempt)."""
    RUNNING = "running"
    """Claimed by a worker whose lease ends at `locked_until`."""
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    """Out of attempts or failed for good; waits for an operator's retry."""


DEFAULT_ATTEMPTS = 5
# After the n-th failed attempt the job waits RETRY_DELAYS[n-1] (the last one repeats).
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=8),
)
DEFAULT_LEASE = timedelta(minutes=5)


def retry_delay(attempts: int) -> timedelta:
    """How long a job waits after its `attempts`-th failure: growing, so a broken dependency
    (mail server, bank folder) is not hammered, but a brief outage costs a minute."""
    return RETRY_DELAYS[min(max(attempts, 1), len(RETRY_DELAYS)) - 1]


def is_permanent(error: BaseException) -> bool:
    """A failure that a retry cannot fix: the domain refused the work (not found, invalid,
    not allowed). Conflicts (a concurrent change) and infrastructure errors are retried."""
    return isinstance(error, O2CError) and not isinstance(error, Conflict)


@dataclass(frozen=True)
class ClaimedJob:
    """A job this worker holds: `attempt` with `worker` is the fencing token that every
    write about the job must still match, so a worker whose lease ran out cannot finish it."""

    id: int
    company_id: int
    kind: str
    key: str
    payload: dict[str, Any]
    attempt: int
    max_attempts: int
    worker: str


def cron_problem(expression: str) -> str | None:
    """Why `expression` is not a valid five-field cron expression, or None."""
    try:
        CronSim(expression, datetime(2026, 1, 1))  # noqa: DTZ001 - only the syntax is checked
    except CronSimError as error:
        return str(error) or "invalid cron expression"
    return None


def latest_fire(expression: str, now: datetime) -> datetime:
    """The last time at or before `now` that the cron expression names (UTC).

    Only the latest is returned, never every missed one: the services a schedule drives
    catch up by themselves (billing bills every missed period, dunning looks at today's
    balances), so a worker that was down for three days runs each kind once, not three times.
    """
    start = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
    fire: datetime = next(CronSim(expression, start, reverse=True))
    return fire


def fire_key(fire: datetime) -> str:
    """The idempotency key of a scheduled job: the period it stands for, to the minute."""
    return fire.strftime("%Y-%m-%dT%H:%MZ")
